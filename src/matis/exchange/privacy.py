"""The guard that keeps plaintext personal data out of every exchange payload.

Both sides run it: the national instance before an item is queued and again
before it is sent, the hub before it stores anything. It refuses any key
that names a personal field (names, dates of birth, document numbers,
contacts, free-text case notes, case numbers) anywhere in the payload, and
for de-identified case records it accepts only the fields of
:data:`DEIDENTIFIED_FIELDS` and only a release that is k-anonymous over all
of them (:func:`check_release`, with this instance's k).
"""

from __future__ import annotations

from collections.abc import Iterator

from matis.exchange import conf
from tipstats import disclosure

# Field names (lower case) that carry personal data in MATIS or HTCDS.
PERSONAL_FIELDS = frozenset(
    {
        "prs_firstname",
        "prs_secondname",
        "prs_middlename",
        "prs_birthdate",
        "prs_identitynumber",
        "prs_primarylanguage",
        "prs_secondarylanguage",
        "given_name",
        "family_name",
        "romanised_given",
        "romanised_family",
        "full_name",
        "name_as_written",
        "aliases",
        "date_of_birth",
        "birth_date",
        "dob",
        "number",
        "document_number",
        "passport_number",
        "identity_number",
        "contact_notes",
        "phone",
        "email",
        "address",
        "witness",
        "summary",
        "notes",
        "answers",
        "closure_reason",
        "cas_reasonforcaseclosure",
        "cas_referredorganisation",
        "cas_outgoingreferraldate",
        "commit_casereference",
        "commit_placements",
        "commit_latestscreening",
        "reference",
        "case_reference",
        "case_id",
        "person_id",
    }
)

# What a de-identified case record may contain: each field is a quasi-identifier of the
# release (matis.exchange.payloads.QUASI_IDENTIFIERS), counted in k by check_release.
DEIDENTIFIED_FIELDS = frozenset(
    {
        "prs_Gender",
        "commit_AgeBand",
        "commit_Citizenship",
        "commit_YearOpened",
        "commit_CountryOfExploitation",
        "vic_TraffickingStatus",
        "vic_TypeOfExploitation",
        "commit_ForcedCriminality",
    }
)


# The fields of a release an outsider must not learn from knowing who is in it: each must
# take at least l values among the records that agree on the KNOWN_FIELDS (check_release).
# Those (sex, age band, citizenship, year, country of exploitation, and whether the
# person is a confirmed or presumed victim) are what a neighbour, an employer or a border
# official may know of a person; the form of exploitation and forced criminality are what
# stigmatises and endangers them. A group whose value is only "not recorded" (or no forced
# criminality) discloses nothing and passes (BENIGN_VALUES).
SENSITIVE_FIELDS = ("vic_TypeOfExploitation", "commit_ForcedCriminality")
KNOWN_FIELDS = tuple(sorted(DEIDENTIFIED_FIELDS - set(SENSITIVE_FIELDS)))
BENIGN_VALUES = {
    "vic_TypeOfExploitation": ("unknown", "", []),  # not recorded (payloads.UNKNOWN, empty)
    "commit_ForcedCriminality": (False, "unknown"),
}


class PersonalDataRefused(ValueError):
    """The payload carries a field the exchange never sends; ``path`` names where."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ReleaseNotAnonymous(PersonalDataRefused):
    """A de-identified release in which some record is in a class smaller than k."""

    code = "not_k_anonymous"

    def __init__(self, reason: str):
        super().__init__("records", reason)


class ReleaseNotDiverse(ReleaseNotAnonymous):
    """A de-identified release in which a group of look-alikes shares a sensitive value."""

    code = "not_l_diverse"


def _walk(obj, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key)
            yield from _walk(value, here)
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _walk(value, f"{path}[{i}]")


def check_payload(kind: str, data: dict) -> None:
    """Raise :class:`PersonalDataRefused` if ``data`` (one item of ``kind``) may not leave."""
    for path, key in _walk(data, ""):
        if key.lower() in PERSONAL_FIELDS:
            raise PersonalDataRefused(path, "personal data is never exchanged")
    if kind == "deidentified_cases":
        records = data.get("records")
        if not isinstance(records, list):
            raise PersonalDataRefused("records", "a list of records is expected")
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise PersonalDataRefused(f"records[{i}]", "a record is an object")
            extra = sorted(set(record) - DEIDENTIFIED_FIELDS)
            if extra:
                raise PersonalDataRefused(
                    f"records[{i}].{extra[0]}", "not a field of the de-identified record"
                )
        check_release(data)


def check_release(
    data: dict,
    *,
    k: int | None = None,
    l: int | None = None,  # noqa: E741
) -> disclosure.KAnonymityCheck:
    """Raise unless every record of ``data`` has ``k - 1`` twins and its group is l-diverse.

    The classes are formed over every field of :data:`DEIDENTIFIED_FIELDS`
    (a field missing from a record counts as missing), with ``k`` from this
    instance's configuration: the ``"k"`` a release claims is never trusted
    (:class:`ReleaseNotAnonymous`). Then the records that agree on the
    :data:`KNOWN_FIELDS` must hold at least ``l`` values of each of the
    :data:`SENSITIVE_FIELDS` (:class:`ReleaseNotDiverse`): otherwise knowing a
    person's sex, age band, citizenship, year and country of exploitation
    would tell their form of exploitation. The payload builder runs it on what
    it is about to send and the hub on what it receives.
    """
    k = conf.k_anonymity() if k is None else k
    l = conf.l_diversity() if l is None else l  # noqa: E741
    records = data.get("records") or []
    try:
        check = disclosure.require_k_anonymous(records, k=k, columns=sorted(DEIDENTIFIED_FIELDS))
    except disclosure.NotKAnonymous as exc:
        raise ReleaseNotAnonymous(f"the release is not {k}-anonymous: {exc}") from None
    try:
        disclosure.require_l_diverse(
            records, l=l, known=KNOWN_FIELDS, sensitive=SENSITIVE_FIELDS, benign=BENIGN_VALUES
        )
    except disclosure.NotLDiverse as exc:
        raise ReleaseNotDiverse(f"the release is not {l}-diverse: {exc}") from None
    return check
