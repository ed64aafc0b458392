"""Validation rules as data: each kind fires, errors block approval, warnings need a comment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from stats_helpers import import_csv

from matis.official_statistics.models import RuleViolation, Submission, ValidationRule
from matis.official_statistics.services import (
    SubmissionBlocked,
    submission_approve,
    submission_submit,
    submission_validate,
    violation_comment,
)
from matis.official_statistics.validation import violated

HEADER = ("indicator", "country", "year", "sex", "value")


def only_rule(code: str, **changes) -> ValidationRule:
    """Keep one bundled rule active (optionally changed, as an administrator would)."""
    ValidationRule.objects.exclude(code=code).update(is_active=False)
    rule = ValidationRule.objects.get(code=code)
    for k, v in changes.items():
        setattr(rule, k, v)
    rule.full_clean()
    rule.save()
    return rule


def load(rows, year=2021, country="THA") -> Submission:
    import_csv([[ind, country, str(y), sex, value] for ind, y, sex, value in rows])
    return Submission.objects.get(country_id=country, period=year)


def findings(submission) -> list[tuple[str, str, str, str]]:
    submission_validate(actor=None, submission=submission)
    return sorted(
        submission.violations.values_list("rule__code", "series_key", "left_text", "right_text")
    )


@pytest.fixture
def officers(make_user):
    return (
        make_user(role="statistics_officer", country="THA"),
        make_user(role="statistics_officer", country="THA"),
    )


@pytest.mark.django_db
def test_non_negative_error_blocks_approval(officers):
    only_rule("NON_NEGATIVE")
    submission = load([("VICTIMS_DETECTED", 2021, "", "-3")])
    assert findings(submission) == [("NON_NEGATIVE", "", "-3", "0")]
    submitter, approver = officers
    submission_submit(actor=submitter, submission=submission)
    with pytest.raises(SubmissionBlocked) as caught:
        submission_approve(actor=approver, submission=submission)
    assert caught.value.n_errors == 1
    submission.refresh_from_db()
    assert submission.status == "submitted"
    # An error cannot be talked away with a comment.
    violation_comment(actor=submitter, violation=submission.violations.get(), comment="It is right")
    with pytest.raises(SubmissionBlocked):
        submission_approve(actor=approver, submission=submission)


@pytest.mark.django_db
def test_breakdown_above_total_warns_and_needs_a_comment(officers):
    only_rule("SEX_WITHIN_TOTAL")  # bundled as a warning
    submission = load(
        [
            ("VICTIMS_DETECTED", 2021, "", "10"),
            ("VICTIMS_DETECTED", 2021, "F", "8"),
            ("VICTIMS_DETECTED", 2021, "M", "7"),
        ]
    )
    assert findings(submission) == [("SEX_WITHIN_TOTAL", "", "15", "10")]
    submitter, approver = officers
    submission_submit(actor=submitter, submission=submission)
    with pytest.raises(SubmissionBlocked) as caught:
        submission_approve(actor=approver, submission=submission)
    assert (caught.value.n_errors, caught.value.n_uncommented) == (0, 1)
    violation_comment(
        actor=submitter,
        violation=submission.violations.get(),
        comment="Some victims were counted under both sexes' registers.",
    )
    submission_approve(actor=approver, submission=submission)
    submission.refresh_from_db()
    assert submission.status == "approved"
    assert submission.violations.get().comment.startswith("Some victims")  # kept through re-checks


@pytest.mark.django_db
def test_the_same_rule_configured_as_error_blocks(officers):
    only_rule("SEX_WITHIN_TOTAL", severity="error")
    submission = load([("VICTIMS_DETECTED", 2021, "", "10"), ("VICTIMS_DETECTED", 2021, "F", "11")])
    submitter, approver = officers
    submission_submit(actor=submitter, submission=submission)
    violation_comment(actor=submitter, violation=submission.violations.get(), comment="noted")
    with pytest.raises(SubmissionBlocked) as caught:
        submission_approve(actor=approver, submission=submission)
    assert caught.value.n_errors == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("female", "male", "fires"),
    [
        ("<5", "6", False),  # 6..10 may fit in 10: no alarm
        ("<5", "9", False),  # 9..13: may still fit
        ("<5", "11", True),  # at least 11 > 10 whatever <5 hides
        ("4", "6", False),
        ("5", "6", True),
    ],
)
def test_censored_values_never_raise_false_alarms(female, male, fires):
    only_rule("SEX_WITHIN_TOTAL")
    submission = load(
        [
            ("VICTIMS_DETECTED", 2021, "", "10"),
            ("VICTIMS_DETECTED", 2021, "F", female),
            ("VICTIMS_DETECTED", 2021, "M", male),
        ]
    )
    assert bool(findings(submission)) is fires


@pytest.mark.django_db
def test_outlier_against_the_countrys_own_history():
    only_rule("OUTLIER_OWN_HISTORY")
    history = [
        ("VICTIMS_DETECTED", y, "", v)
        for y, v in zip(range(2015, 2021), ["100", "110", "95", "105", "102", "98"], strict=True)
    ]
    submission = load([*history, ("VICTIMS_DETECTED", 2021, "", "400")])
    (finding,) = findings(submission)
    assert finding[0] == "OUTLIER_OWN_HISTORY" and float(finding[2]) > 3.5
    # An ordinary year passes; too little history is not judged.
    assert findings(Submission.objects.get(period=2018)) == []
    only_rule("OUTLIER_OWN_HISTORY", min_history=10)
    assert findings(submission) == []


@pytest.mark.django_db
def test_outlier_threshold_is_data():
    rule = only_rule("OUTLIER_OWN_HISTORY", right_side="100")
    history = [
        ("VICTIMS_DETECTED", y, "", v)
        for y, v in zip(range(2015, 2021), ["100", "110", "95", "105", "102", "98"], strict=True)
    ]
    submission = load([*history, ("VICTIMS_DETECTED", 2021, "", "400")])
    assert findings(submission) == []
    rule.right_side = "3.5"
    rule.save()
    assert len(findings(submission)) == 1


@pytest.mark.django_db
def test_missing_mandatory_breakdown():
    only_rule("VICTIMS_BY_SEX_REPORTED")
    submission = load([("VICTIMS_DETECTED", 2021, "", "10")])
    assert findings(submission) == [("VICTIMS_BY_SEX_REPORTED", "", "0", "1")]
    import_csv([["VICTIMS_DETECTED", "THA", "2021", "F", "6"]])
    assert findings(submission) == []


@pytest.mark.django_db
def test_comparison_with_another_indicator():
    only_rule("CONVICTED_WITHIN_PROSECUTED")
    submission = load(
        [("PERSONS_CONVICTED", 2021, "", "50"), ("PERSONS_PROSECUTED", 2021, "", "40")]
    )
    assert findings(submission) == [("CONVICTED_WITHIN_PROSECUTED", "", "50", "40")]


@pytest.mark.django_db
def test_an_administrator_adds_a_rule_without_code_changes():
    ValidationRule.objects.update(is_active=False)
    rule = ValidationRule(
        code="REFERRALS_PLAUSIBLE",
        name_en="Referrals below 10,000",
        left_side="value",
        operator="<",
        right_side="10000",
        severity="error",
    )
    rule.full_clean()
    rule.save()
    submission = load([("REFERRALS", 2021, "", "12000")])
    assert findings(submission) == [("REFERRALS_PLAUSIBLE", "", "12,000", "10,000")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("left", "right", "dimension", "field"),
    [
        ("valeu", "0", None, "left_side"),
        ("sum", "value", None, "dimension"),
        ("value", "indicator:NOPE", None, "right_side"),
        ("1", "2", None, "left_side"),
    ],
)
def test_rule_syntax_errors_name_the_field(left, right, dimension, field):
    rule = ValidationRule(
        code="X", name_en="x", left_side=left, operator="<=", right_side=right, severity="error"
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert field in caught.value.message_dict


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("<=", (5, 5), (4, 4), True),
        ("<=", (0, 5), (4, 4), False),
        (">=", (0, 4), (5, 5), True),
        (">=", (0, 5), (5, 5), False),
        ("==", (3, 3), (0, 5), False),
        ("==", (6, 6), (0, 5), True),
        ("<", (5, 5), (5, 5), True),
        (">", (5, 5), (5, 5), True),
        ("!=", (2, 2), (2, 2), True),
    ],
)
def test_interval_comparison(op, left, right, expected):
    assert violated(op, left, right) is expected


@pytest.mark.django_db
def test_published_glotip_findings(glotip):
    """The bundled rules on the published GLOTIP data: warnings only, never an error."""
    for submission in Submission.objects.all():
        submission_validate(actor=None, submission=submission)
    assert not RuleViolation.objects.filter(severity="error").exists()
    by_rule = dict(RuleViolation.objects.values_list("rule__code").annotate(n=Count("id")))
    # Thailand 2022 detected victims: girls 131 + boys 43 (+ <5 other) exceed the 154 children.
    assert RuleViolation.objects.filter(
        rule__code="SEX_WITHIN_TOTAL",
        submission__country_id="THA",
        submission__period=2022,
        indicator__code="VICTIMS_DETECTED",
        series_key="AGE=Y0T17",
        left_text="174–179",
        right_text="154",
    ).exists()
    assert by_rule["FORM_WITHIN_TOTAL"] >= 1
