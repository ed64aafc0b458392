"""Statistical disclosure control: k-anonymity and l-diversity for records (made and checked), suppression and rounding for tables.

>>> import pandas as pd
>>> from tipstats import disclosure
>>> people = pd.DataFrame({"age": [17, 18, 19, 23] * 6, "sex": ["f", "f", "m", "f"] * 6})
>>> out = disclosure.k_anonymise(people, {"age": disclosure.AgeHierarchy(), "sex": None}, k=5)
>>> out.report.smallest_group >= 5
True

See ``docs/methods/disclosure.md``.
"""

from ._check import KAnonymityCheck, NotKAnonymous, check_k_anonymity, require_k_anonymous
from ._hierarchy import (
    SUPPRESSED,
    AgeHierarchy,
    DateHierarchy,
    Hierarchy,
    MappingHierarchy,
    SuppressionHierarchy,
)
from ._kanon import SUPPRESSION_MODES, AnonymisationReport, AnonymisationResult, k_anonymise
from ._ldiv import (
    L_DIVERSITY_KINDS,
    LDiversityCheck,
    NotLDiverse,
    benign_mask,
    check_l_diversity,
    require_l_diverse,
)
from ._tables import (
    COMPLEMENTARY_LABEL,
    ROUNDING_METHODS,
    RoundedTable,
    SuppressedTable,
    audit_suppression,
    protect_counts,
    round_table,
    suppress_small_cells,
)

__all__ = [
    "COMPLEMENTARY_LABEL",
    "L_DIVERSITY_KINDS",
    "ROUNDING_METHODS",
    "SUPPRESSED",
    "SUPPRESSION_MODES",
    "AgeHierarchy",
    "AnonymisationReport",
    "AnonymisationResult",
    "DateHierarchy",
    "Hierarchy",
    "KAnonymityCheck",
    "LDiversityCheck",
    "MappingHierarchy",
    "NotKAnonymous",
    "NotLDiverse",
    "RoundedTable",
    "SuppressedTable",
    "SuppressionHierarchy",
    "audit_suppression",
    "benign_mask",
    "check_k_anonymity",
    "check_l_diversity",
    "k_anonymise",
    "protect_counts",
    "require_k_anonymous",
    "require_l_diverse",
    "round_table",
    "suppress_small_cells",
]
