"""The list of a rescued group for the receiving shelter or an embassy: consent-aware.

A person appears with her or his name, sex, age, nationality and language only
where she or he consented to this sharing (services, for the shelter; sharing
with the country, for its embassy); otherwise only by case number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from matis.cases.choices import ConsentPurpose
from matis.cases.services import consent_allows
from matis.intake.models import GroupRegistration

SHELTER = "shelter"
EMBASSY = "embassy"


@dataclass(frozen=True)
class ListRow:
    case_number: str
    shared: bool
    name: str = ""
    sex: str = ""
    age: str = ""
    nationality: str = ""
    language: str = ""


def group_list(
    group: GroupRegistration, *, audience: str, country: str | None = None
) -> list[ListRow]:
    """The rows for ``audience`` (shelter, or the embassy of ``country``)."""
    members = group.members.select_related("case__person__primary_citizenship").order_by("row")
    rows = []
    for member in members:
        case, person = member.case, member.case.person
        if audience == EMBASSY:
            if person.primary_citizenship_id != country:
                continue
            shared = consent_allows(case, ConsentPurpose.CROSS_BORDER, country=country)
        else:
            shared = consent_allows(case, ConsentPurpose.SERVICES)
        if not shared:
            rows.append(ListRow(case.reference, False))
            continue
        rows.append(
            ListRow(
                case_number=case.reference,
                shared=True,
                name=person.display_name,
                sex=person.get_gender_display(),
                age="" if person.age_at_registration is None else str(person.age_at_registration),
                nationality=person.primary_citizenship.display_name
                if person.primary_citizenship
                else "",
                language=", ".join(person.language_labels),
            )
        )
    return rows


def list_header() -> list[str]:
    return [
        _("Case number"),
        _("Name as written"),
        _("Sex"),
        _("Age"),
        _("Nationality"),
        _("Language"),
    ]


def list_cells(row: ListRow) -> list[str]:
    return [row.case_number, row.name, row.sex, row.age, row.nationality, row.language]
