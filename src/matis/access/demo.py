"""Synthetic demo agencies and users: one of each role per COMMIT country, plus the secretariat."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from matis.access.models import Agency, OrganisationType, Role, User
from matis.access.services import agency_create, user_create
from matis.common.demo import demo_countries

DEMO_DOMAIN = "matis.example"

# (short name, organisation type) of the synthetic agencies in each country
DEMO_AGENCIES = [
    ("National anti-trafficking task force", OrganisationType.CENTRAL_GOVERNMENT),
    ("National statistics unit", OrganisationType.CENTRAL_GOVERNMENT),
    ("Social welfare department", OrganisationType.CENTRAL_GOVERNMENT),
    ("Anti-trafficking police unit", OrganisationType.LAW_ENFORCEMENT),
    ("Provincial shelter", OrganisationType.LOCAL_GOVERNMENT),
    ("Survivor support NGO", OrganisationType.NGO),
    ("Public prosecutor's office", OrganisationType.LEGAL_SERVICE),
    ("Immigration bureau", OrganisationType.IMMIGRATION),
]

# (email local part, role, agency index) for each country
DEMO_COUNTRY_USERS = [
    ("taskforce", Role.TASK_FORCE_OFFICER, 0),
    ("statistics", Role.STATISTICS_OFFICER, 1),
    # A second statistics officer: a submission is approved by someone other than the
    # person who submitted it (four eyes), so each country's statistics can be approved.
    ("approver", Role.STATISTICS_OFFICER, 1),
    ("caseworker", Role.CASE_WORKER, 4),
    ("supervisor", Role.CASE_SUPERVISOR, 2),
    ("ngo", Role.CASE_WORKER, 5),
    ("justice", Role.JUSTICE_OFFICER, 6),
    ("admin", Role.ADMINISTRATOR, 0),
]

DEMO_REGIONAL_USERS = [
    ("secretariat", Role.SECRETARIAT_ANALYST),
    ("auditor", Role.AUDITOR),
    ("admin", Role.ADMINISTRATOR),
]


def demo_password() -> str:
    """The demo's shared password: generated once and kept in MATIS_HOME, never in code."""
    path = settings.MATIS_HOME / "demo-password.txt"
    if not path.exists():
        settings.MATIS_HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(f"demo-{secrets.token_urlsafe(9)}\n")
        path.chmod(0o600)
    return path.read_text().strip()


def demo_email(local: str, iso3: str | None) -> str:
    return f"{local}.{iso3.lower()}@{DEMO_DOMAIN}" if iso3 else f"{local}@{DEMO_DOMAIN}"


@transaction.atomic
def load_demo(*, countries: tuple[str, ...] | None = None) -> str:
    """Agencies and users of every COMMIT country (or of ``countries`` only) and the
    secretariat's; a national instance of the regional demo (``countries`` set, not
    empty) gets no secretariat users, the hub (``countries=()``) only those."""
    # One password for every demo login: hashed once here (Argon2 is deliberately slow,
    # ~1 s a user on a loaded machine) and given to the users this run creates.
    password = demo_password()
    created: list[int] = []
    created_agencies = 0
    regional = not countries
    if regional:
        secretariat, made = Agency.objects.get_or_create(
            country=None,
            name="COMMIT regional secretariat (synthetic)",
            defaults={"org_type": OrganisationType.SECRETARIAT, "city": "Bangkok"},
        )
        created_agencies += made
    for iso3 in demo_countries(countries):
        agencies = []
        for name, org_type in DEMO_AGENCIES:
            full_name = f"{name} ({iso3}, synthetic)"
            agency = Agency.objects.filter(country_id=iso3, name=full_name).first()
            if agency is None:
                agency = agency_create(
                    actor=None, name=full_name, country_id=iso3, org_type=org_type
                )
                created_agencies += 1
            agencies.append(agency)
        for local, role, agency_index in DEMO_COUNTRY_USERS:
            email = demo_email(local, iso3)
            if not User.objects.filter(email=email).exists():
                user = user_create(
                    actor=None,
                    email=email,
                    password=None,
                    role=role,
                    country_id=iso3,
                    agency=agencies[agency_index],
                    full_name=f"{role.label} {iso3} (synthetic)",
                    preferred_language="th" if iso3 == "THA" else "",
                )
                created.append(user.pk)
    for local, role in DEMO_REGIONAL_USERS if regional else ():
        email = demo_email(local, None)
        if not User.objects.filter(email=email).exists():
            user = user_create(
                actor=None,
                email=email,
                password=None,
                role=role,
                country_id=None,
                agency=secretariat,
                full_name=f"{role.label} (synthetic)",
            )
            if role == Role.ADMINISTRATOR:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            created.append(user.pk)
    if created:
        User.objects.filter(pk__in=created).update(password=make_password(password))
    return f"{created_agencies} agencies and {len(created)} users created"


def demo_login_groups(*, existing: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every demo login, grouped: ``[(group, [(role, email), ...]), ...]``, the
    secretariat's first, then each COMMIT country's. ``existing``: only the logins
    this database has (a national instance of the regional demo has its own only).
    The role is its label, with "approves statistics" for each country's second
    statistics officer (four eyes: the submitter may not approve)."""
    from django.utils.translation import gettext as _

    from matis.common.models import Country

    wanted = None
    if existing:
        wanted = set(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True).values_list(
                "email", flat=True
            )
        )
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    regional = [(str(role.label), demo_email(local, None)) for local, role in DEMO_REGIONAL_USERS]
    names = dict(Country.objects.filter(iso3__in=demo_countries()).values_list("iso3", "name"))
    candidates = [(_("Regional secretariat"), regional)]
    for iso3 in demo_countries():
        logins = []
        for local, role, _agency in DEMO_COUNTRY_USERS:
            label = str(role.label)
            if local == "approver":
                label = _("%(role)s, approves statistics") % {"role": label}
            elif local == "ngo":
                label = _("%(role)s, NGO") % {"role": label}
            logins.append((label, demo_email(local, iso3)))
        candidates.append((names.get(iso3, iso3), logins))
    for group, logins in candidates:
        if wanted is not None:
            logins = [(role, email) for role, email in logins if email in wanted]
        if logins:
            groups.append((group, logins))
    return groups


def demo_logins() -> list[tuple[str, str]]:
    """(email, role) of every demo login, in the order ``matis demo`` prints them."""
    return [(email, role) for _group, logins in demo_login_groups() for role, email in logins]


def demo_mail_note(settings) -> str:
    """Where the demo's mail (password links, invitations) goes, for ``matis demo`` to print."""
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "filebased":
        return (
            f"Mail (password links, invitations) is written as files to {settings.EMAIL_FILE_PATH}"
        )
    if backend == "console":
        return "Mail (password links, invitations) is printed here."
    return f"Mail is sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}."
