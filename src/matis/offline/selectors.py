"""Reads for offline capture: the duplicate check and the grants a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from matis.access.models import User
from matis.access.permissions import has_perm
from matis.cases.gates import cases_visible_to
from matis.cases.models import Case, Person
from matis.cases.protection.blind import IndexKind, digest
from matis.cases.protection.names import normalise, romanise, romanised_key
from matis.offline.models import OfflineGrant


def _full_name_keys(given: str, family: str) -> tuple[str, str]:
    full = " ".join(p for p in (given, family) if p)
    return normalise(full), romanised_key(romanise(full))


def possible_duplicates(*, actor: User, person: dict) -> list[str]:
    """References of cases whose person has the same full name and birth date (or age).

    Candidates come from the blind index (the digest of the full name, as
    written and romanised), so no name is decrypted except those candidates';
    they are then compared in full. Cases the user may not see are counted
    as ``"?"`` (the user learns that a match exists, not where).
    """
    name, roman = _full_name_keys(person.get("given_name", ""), person.get("family_name", ""))
    if not name:
        return []
    digests = {digest(IndexKind.NAME, name)}
    if roman:
        digests.add(digest(IndexKind.ROMANISED, roman))
    candidates = Person.objects.filter(
        country_id=actor.country_id, search_tokens__digest__in=digests
    ).distinct()
    born, age = person.get("date_of_birth"), person.get("age_at_registration")
    same = []
    for candidate in candidates:
        their_name, their_roman = _full_name_keys(candidate.given_name, candidate.family_name)
        if name != their_name and (not roman or roman != their_roman):
            continue
        same_birth = bool(born) and candidate.date_of_birth == born
        same_age = not born and age is not None and candidate.age_at_registration == age
        if same_birth or same_age:
            same.append(candidate.pk)
    if not same:
        return []
    cases = Case.objects.filter(person_id__in=same)
    visible = set(cases_visible_to(actor).filter(pk__in=cases).values_list("reference", flat=True))
    hidden = cases.exclude(reference__in=visible).count()
    return sorted(visible) + ["?"] * hidden


def grants_for(user: User) -> QuerySet[OfflineGrant]:
    """Grants the user may see and revoke: her or his own; an administrator: the country's."""
    grants = OfflineGrant.objects.select_related("user", "revoked_by")
    if has_perm(user, "access.manage_users"):
        if user.is_region_wide:
            return grants
        return grants.filter(user__country_id=user.country_id)
    return grants.filter(user=user)
