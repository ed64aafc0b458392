"""l-diversity, checked on the published example of Machanavajjhala et al. (2007).

The inpatient table below is Figure 1 of Machanavajjhala, Kifer, Gehrke and
Venkitasubramaniam, "l-Diversity: Privacy Beyond k-Anonymity", ACM Transactions
on Knowledge Discovery from Data 1(1), 2007 (twelve fictitious patients); the
generalisations are the paper's Figure 2 (a 4-anonymous table that fails by
homogeneity: its third group all has cancer) and Figure 3 (a 3-diverse table).
"""

import math

import numpy as np
import pandas as pd
import pytest

from tipstats.disclosure import (
    MappingHierarchy,
    NotLDiverse,
    check_k_anonymity,
    check_l_diversity,
    k_anonymise,
    require_l_diverse,
)

# Figure 1: zip code, age, nationality, condition
FIGURE_1 = [
    ("13053", 28, "Russian", "Heart Disease"),
    ("13068", 29, "American", "Heart Disease"),
    ("13068", 21, "Japanese", "Viral Infection"),
    ("13053", 23, "American", "Viral Infection"),
    ("14853", 50, "Indian", "Cancer"),
    ("14853", 55, "Russian", "Heart Disease"),
    ("14850", 47, "American", "Viral Infection"),
    ("14850", 49, "American", "Viral Infection"),
    ("13053", 31, "American", "Cancer"),
    ("13053", 37, "Indian", "Cancer"),
    ("13068", 36, "Japanese", "Cancer"),
    ("13068", 35, "American", "Cancer"),
]


def figure_2() -> pd.DataFrame:
    """The paper's 4-anonymous table: zip to 130**/1485*, age to <30, >=40, 3*."""
    rows = []
    for zip_code, age, _nationality, condition in FIGURE_1:
        zip_gen = "1485*" if zip_code.startswith("1485") else "130**"
        age_gen = "<30" if age < 30 else (">=40" if age >= 40 else "3*")
        rows.append({"zip": zip_gen, "age": age_gen, "nationality": "*", "condition": condition})
    return pd.DataFrame(rows)


def figure_3() -> pd.DataFrame:
    """The paper's 3-diverse table: zip to 1305*/1485*/1306*, age to <=40 or >40."""
    rows = []
    for zip_code, age, _nationality, condition in FIGURE_1:
        rows.append(
            {
                "zip": zip_code[:4] + "*",
                "age": "<=40" if age <= 40 else ">40",
                "nationality": "*",
                "condition": condition,
            }
        )
    return pd.DataFrame(rows)


KNOWN = ["zip", "age", "nationality"]


def test_figure_2_is_4_anonymous_but_its_third_group_discloses_cancer():
    table = figure_2()
    assert check_k_anonymity(table, k=4, columns=KNOWN).ok
    check = check_l_diversity(table, l=2, known=KNOWN, sensitive=["condition"])
    assert check.n_groups == 3
    assert check.n_failing == 4  # records 9-12: 130**, 3*, all Cancer
    assert check.least_diverse == {"condition": 1.0}
    failing_group = table[(table.zip == "130**") & (table.age == "3*")]
    assert set(failing_group.condition) == {"Cancer"}
    with pytest.raises(NotLDiverse, match="4 of 12 records"):
        require_l_diverse(table, l=2, known=KNOWN, sensitive=["condition"])


def test_figure_3_is_distinct_3_diverse_and_its_entropy_is_below_log_3():
    table = figure_3()
    assert check_l_diversity(table, l=3, known=KNOWN, sensitive=["condition"]).ok
    assert not check_l_diversity(table, l=4, known=KNOWN, sensitive=["condition"]).ok
    # each group has shares 1/2, 1/4, 1/4: entropy 1.5 ln 2, i.e. exp(entropy) = 2^1.5
    entropy = check_l_diversity(table, l=2, known=KNOWN, sensitive=["condition"], kind="entropy")
    assert entropy.ok
    assert entropy.least_diverse["condition"] == pytest.approx(2**1.5)
    assert not check_l_diversity(
        table, l=3, known=KNOWN, sensitive=["condition"], kind="entropy"
    ).ok
    assert math.log(3) > 1.5 * math.log(2)


def test_each_sensitive_attribute_is_checked_on_its_own():
    rows = [
        {"sex": "f", "form": "sexual", "criminality": False},
        {"sex": "f", "form": "labour", "criminality": False},
        {"sex": "m", "form": "labour", "criminality": True},
        {"sex": "m", "form": "sexual", "criminality": False},
    ]
    check = check_l_diversity(rows, l=2, known=["sex"], sensitive=["form", "criminality"])
    # form: both groups hold two forms; criminality: the women's group holds only False
    assert check.failing_by_attribute == {"form": 0, "criminality": 2}
    assert check.n_failing == 2


def test_received_records_with_an_absent_field_count_it_as_a_value():
    rows = [{"sex": "f", "form": "sexual"}, {"sex": "f"}]
    assert check_l_diversity(rows, l=2, known=["sex"], sensitive=["form"]).ok


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="l must be a positive integer"):
        check_l_diversity([], l=0, known=["a"], sensitive=["b"])
    with pytest.raises(ValueError, match="both known and sensitive"):
        check_l_diversity([], l=2, known=["a"], sensitive=["a"])
    with pytest.raises(ValueError, match="kind must be one of"):
        check_l_diversity([], l=2, known=["a"], sensitive=["b"], kind="recursive")
    frame = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ValueError, match='suppression="records"'):
        k_anonymise(frame, ["a"], k=1, l_diversity=2, sensitive=["b"], suppression="cells")
    with pytest.raises(KeyError, match="sensitive columns not in the data"):
        k_anonymise(frame, ["a"], k=1, l_diversity=2, sensitive=["c"])


ZIP = MappingHierarchy(
    maps=(
        {z: z[:4] + "*" for z, *_ in FIGURE_1},
        {z[:4] + "*": z[:3] + "**" for z, *_ in FIGURE_1},
    ),
    names=("4 digits", "3 digits"),
)
AGE = MappingHierarchy(
    maps=(
        {a: f"{a // 10}*" for _, a, *_ in FIGURE_1},
        {f"{a // 10}*": ("<=40" if a <= 40 else ">40") for _, a, *_ in FIGURE_1},
    ),
    names=("decade", "40"),
)


def test_k_anonymise_with_l_diversity_releases_no_homogeneous_group():
    data = pd.DataFrame(FIGURE_1, columns=["zip", "age", "nationality", "condition"])
    hierarchies = {"zip": ZIP, "age": AGE, "nationality": None}
    plain = k_anonymise(data, hierarchies, k=2, max_suppression=0.0)
    assert check_k_anonymity(plain.released, k=2, columns=KNOWN).ok
    # k alone releases a group that is all cancer (the paper's homogeneity attack):
    # at 2-anonymity, 1305* in their thirties are records 9 and 10, both cancer
    assert not check_l_diversity(plain.released, l=2, known=KNOWN, sensitive=["condition"]).ok

    diverse = k_anonymise(
        data, hierarchies, k=2, max_suppression=0.0, l_diversity=3, sensitive=["condition"]
    )
    assert diverse.report.within_budget
    assert diverse.report.n_released == 12
    assert check_k_anonymity(diverse.released, k=2, columns=KNOWN).ok
    assert check_l_diversity(diverse.released, l=3, known=KNOWN, sensitive=["condition"]).ok
    assert diverse.report.information_loss >= plain.report.information_loss
    assert "l-diversity (l = 3)" in diverse.summary()


def test_k_anonymise_withholds_failing_groups_within_the_budget():
    rng = np.random.default_rng(3)
    n = 400
    data = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], n), "band": rng.choice(["child", "adult"], n)}
    )
    data["form"] = rng.choice(["sexual", "labour"], n)
    data.loc[(data.sex == "m") & (data.band == "child"), "form"] = "labour"  # homogeneous
    share = float(((data.sex == "m") & (data.band == "child")).mean())
    result = k_anonymise(
        data, ["sex", "band"], k=5, max_suppression=0.5, l_diversity=2, sensitive=["form"]
    )
    # withholding the homogeneous group (about a quarter) is cheaper than suppressing a column
    assert result.report.level_numbers == {"sex": 0, "band": 0}
    assert result.report.n_withheld_for_diversity == round(share * n)
    assert check_l_diversity(result.released, l=2, known=["sex", "band"], sensitive=["form"]).ok
    tight = k_anonymise(
        data, ["sex", "band"], k=5, max_suppression=0.05, l_diversity=2, sensitive=["form"]
    )
    # within 5 % it must generalise instead: one of the two columns goes
    assert sum(tight.report.level_numbers.values()) == 1
    assert tight.report.n_released == n


def test_a_group_holding_only_benign_values_passes():
    rows = [
        {"sex": "f", "form": None, "criminality": False},
        {"sex": "f", "form": "*", "criminality": False},
        {"sex": "m", "form": "labour", "criminality": True},
        {"sex": "m", "form": "labour", "criminality": False},
    ]
    check = check_l_diversity(
        rows, l=2, known=["sex"], sensitive=["form", "criminality"], benign={"criminality": [False]}
    )
    # women: form missing or suppressed, no forced criminality: nothing disclosed;
    # men: both did labour — disclosed
    assert check.failing_by_attribute == {"form": 2, "criminality": 0}
    unmarked = check_l_diversity(rows, l=2, known=["sex"], sensitive=["criminality"])
    assert unmarked.failing_by_attribute == {"criminality": 2}
