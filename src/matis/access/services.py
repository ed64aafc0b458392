"""Writes for users and agencies. Each service audits in its own transaction.

Every change of a user's role, country, agency or rights, and of an agency,
goes through these functions (the Django admin included, see ``admin.py``),
so that the audit log holds it with its before/after values.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from matis.access import twofactor
from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import REGION_WIDE_ROLES, Agency, AuditAction, Role, User

# What user_update may change; the password has its own service (never shown).
USER_FIELDS = frozenset(
    {
        "email",
        "full_name",
        "role",
        "country",
        "agency",
        "preferred_language",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "must_change_password",
    }
)
# Roles that only work region-wide: a national administrator never gives them.
REGION_ONLY_ROLES = frozenset({Role.SECRETARIAT_ANALYST})
# What an administrator changes on MATIS's own user pages.
MANAGED_FIELDS = frozenset({"full_name", "role", "agency", "preferred_language", "is_active"})
AGENCY_FIELDS = frozenset({"name", "country", "org_type", "city", "is_active"})


def _require_admin_for(actor: User, country_id: str | None) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators manage users and agencies.")
    if not actor.can_see_country(country_id):
        raise PermissionDenied("Administrators manage their own country only.")


def _require_role_in_scope(actor: User, role: str) -> None:
    if not actor.is_region_wide and role in REGION_ONLY_ROLES:
        raise PermissionDenied("A national administrator cannot give a region-wide role.")


def _check_fields(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(unknown)} here.")


def _apply(obj, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        # "country" and "agency" accept an object or its key
        field = obj._meta.get_field(name)
        if field.is_relation and not (value is None or isinstance(value, field.related_model)):
            setattr(obj, field.attname, value)
        else:
            setattr(obj, name, value)


@transaction.atomic
def agency_create(
    *, actor: User | None, name: str, country_id: str | None, org_type: str, city: str = ""
) -> Agency:
    """Create an agency; ``actor`` None is the system itself (loaders)."""
    if actor is not None:
        _require_admin_for(actor, country_id)
    agency = Agency(name=name, country_id=country_id, org_type=org_type, city=city)
    agency.full_clean()
    agency.save()
    audit_record(actor=actor, action=AuditAction.AGENCY_CREATE, obj=agency)
    return agency


@transaction.atomic
def agency_update(*, actor: User | None, agency: Agency, **changes: Any) -> Agency:
    """Change an agency (name, country, type, city, active); audited with before/after."""
    _check_fields(changes, AGENCY_FIELDS)
    # Compare with the stored row: a caller (the admin form) may already have set the values.
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    before = snapshot(stored)
    _apply(agency, changes)
    if actor is not None:
        _require_admin_for(actor, stored.country_id)
        _require_admin_for(actor, agency.country_id)
    agency.full_clean()
    agency.save()
    diff = changes_since(before, agency)
    if diff:
        audit_record(actor=actor, action=AuditAction.AGENCY_UPDATE, obj=agency, changes=diff)
    return agency


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str | None,
    role: str,
    country_id: str | None,
    agency: Agency | None = None,
    full_name: str = "",
    preferred_language: str = "",
    is_active: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user scoped to a country (or region-wide for secretariat roles)."""
    if actor is not None:
        _require_admin_for(actor, country_id)
        _require_role_in_scope(actor, role)
        if is_superuser and not actor.is_superuser:
            raise PermissionDenied("Only a superuser makes another superuser.")
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        country_id=country_id,
        agency=agency,
        full_name=full_name,
        preferred_language=preferred_language,
        is_active=is_active,
        is_staff=is_staff,
        is_superuser=is_superuser,
        # a password someone else chose is changed at the first sign-in
        must_change_password=actor is not None and password is not None,
    )
    audit_record(actor=actor, action=AuditAction.USER_CREATE, obj=user, role=role)
    return user


@transaction.atomic
def user_update(*, actor: User | None, user: User, **changes: Any) -> User:
    """Change a user's role, country scope, agency, rights or details; audited before/after.

    Parameters
    ----------
    changes
        Field names of :data:`USER_FIELDS` and their new values (``country`` and
        ``agency`` as objects or keys). The administrator must manage both the
        user's old and new country.
    """
    _check_fields(changes, USER_FIELDS)
    # Compare with the stored row: a caller (the admin form) may already have set the values.
    stored = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(stored)
    _apply(user, changes)
    if actor is not None:
        _require_admin_for(actor, stored.country_id)
        _require_admin_for(actor, user.country_id)
        if user.role != stored.role:
            _require_role_in_scope(actor, user.role)
        if user.is_superuser != stored.is_superuser and not actor.is_superuser:
            raise PermissionDenied("Only a superuser grants or removes superuser rights.")
    user.email = User.objects.normalize_email(user.email).lower()
    user.full_clean(exclude=["password"])
    user.save()
    diff = changes_since(before, user)
    if diff:
        audit_record(actor=actor, action=AuditAction.USER_UPDATE, obj=user, changes=diff)
    return user


def user_deactivate(*, actor: User | None, user: User) -> User:
    """Stop a user from logging in; the account and its audit trail stay."""
    return user_update(actor=actor, user=user, is_active=False)


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str | None) -> User:
    """Set (or, with ``None``, disable) a user's password; audited without any value.

    A password an administrator sets must be changed by its user at the next
    sign-in (``must_change_password``); the user's own choice clears that.
    """
    by_someone_else = actor is not None and actor.pk != user.pk
    if by_someone_else:
        _require_admin_for(actor, user.country_id)
    before = snapshot(user, ["password", "must_change_password"])
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.must_change_password = by_someone_else and password is not None
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=actor,
        action=AuditAction.USER_UPDATE,
        obj=user,
        changes=changes_since(before, user) or {"password": {"redacted": True}},
    )
    return user


@transaction.atomic
def login_lockout_clear(*, actor: User, attempts: QuerySet[AccessAttempt]) -> int:
    """Lift login lockouts (delete django-axes attempts); each one audited as ``UNLOCK``."""
    _require_admin_for(actor, None)  # attempts belong to no country: region-wide only
    cleared = 0
    for attempt in attempts.select_for_update():
        audit_record(
            actor=actor,
            action=AuditAction.UNLOCK,
            obj=attempt,
            account=attempt.username or "",
            address=attempt.ip_address or "",
        )
        attempt.delete()
        cleared += 1
    return cleared


# -- MATIS's own user pages: administrators manage the users of their scope ------------


def can_manage(actor: User, target: User) -> bool:
    """A national administrator: her or his country's users (national roles); a regional
    administrator: the region-wide users (secretariat, hub). Nobody manages superusers."""
    if not actor.has_role(Role.ADMINISTRATOR) or target.is_superuser:
        return False
    if actor.is_region_wide:
        return target.country_id is None
    return target.country_id == actor.country_id and target.role not in REGION_ONLY_ROLES


def manageable_roles(actor: User) -> list[tuple[str, str]]:
    """The roles ``actor`` may give on the user pages, as (value, label)."""
    if actor.is_region_wide:
        return [(r.value, r.label) for r in Role if r in REGION_WIDE_ROLES]
    return [(r.value, r.label) for r in Role if r not in REGION_ONLY_ROLES]


def manageable_agencies(actor: User) -> QuerySet[Agency]:
    """Agencies ``actor`` may put users in: own country's (regional: the region's own)."""
    return Agency.objects.filter(country_id=actor.country_id, is_active=True).order_by("name")


def _require_manager(actor: User, *, role: str, agency: Agency | None) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("Only administrators manage users.")
    if role not in dict(manageable_roles(actor)):
        raise PermissionDenied("This role is outside the administrator's scope.")
    if agency is not None and agency.country_id != actor.country_id:
        raise PermissionDenied("The agency is outside the administrator's scope.")


def _password_link(user: User, link_base: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("access:password_set", kwargs={"uidb64": uid, "token": token})
    return link_base.rstrip("/") + path


def _send_password_link(user: User, *, link_base: str, invitation: bool) -> None:
    """Mail ``user`` a single-use, time-limited link to choose a password, in her or his language."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {
        "user": user,
        "link": _password_link(user, link_base),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "invitation": invitation,
    }
    with translation.override(language):
        subject = render_to_string("access/email/password_link_subject.txt", context).strip()
        body = render_to_string("access/email/password_link.txt", context)
    send_mail(subject, body, None, [user.email])


def _creation_changes(user: User, fields: list[str]) -> dict[str, list]:
    after = snapshot(user, fields)
    return {name: [None, value] for name, value in after.items() if value not in ("", None)}


@transaction.atomic
def user_invite(
    *,
    actor: User,
    email: str,
    role: str,
    agency: Agency | None,
    link_base: str,
    full_name: str = "",
    preferred_language: str = "",
) -> User:
    """Create a user of ``actor``'s scope with no password and mail a set-password link.

    A national administrator invites users of her or his country only, in national
    roles and agencies of that country; a regional administrator, region-wide users.
    """
    _require_manager(actor, role=role, agency=agency)
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    user = User.objects.create_user(
        email=email.strip(),
        password=None,
        role=role,
        country_id=actor.country_id,
        agency=agency,
        full_name=full_name,
        preferred_language=preferred_language,
    )
    audit_record(
        actor=actor,
        action=AuditAction.USER_INVITE,
        obj=user,
        changes=_creation_changes(
            user, ["email", "full_name", "role", "country", "agency", "preferred_language"]
        ),
    )
    _send_password_link(user, link_base=link_base, invitation=True)
    return user


@transaction.atomic
def user_manage(*, actor: User, user: User, **changes: Any) -> User:
    """Change a user from the user pages (role, agency, name, language, active)."""
    _check_fields(changes, MANAGED_FIELDS)
    stored = User.objects.get(pk=user.pk)
    if not can_manage(actor, stored):
        raise PermissionDenied("This user is outside the administrator's scope.")
    role = changes.get("role", stored.role)
    _require_manager(actor, role=role, agency=changes.get("agency"))
    if changes.get("is_active") is False and stored.pk == actor.pk:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    return user_update(actor=actor, user=user, **changes)


@transaction.atomic
def password_reset_request(*, email: str, link_base: str) -> None:
    """Mail a reset link when ``email`` is an active user's; say nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    audit_record(actor=None, action=AuditAction.PASSWORD_RESET, obj=user, requested_by="user")
    _send_password_link(user, link_base=link_base, invitation=False)


@transaction.atomic
def password_reset_send(*, actor: User, user: User, link_base: str) -> None:
    """An administrator mails a user a reset link (the user chooses the new password)."""
    if not can_manage(actor, user):
        raise PermissionDenied("This user is outside the administrator's scope.")
    audit_record(actor=actor, action=AuditAction.PASSWORD_RESET, obj=user, requested_by="admin")
    _send_password_link(user, link_base=link_base, invitation=False)


@transaction.atomic
def password_set_own(*, user: User, password: str, via: str) -> User:
    """The user's own new password (from a link, ``via="link"``, or the change page)."""
    stored = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(stored, ["password", "must_change_password"])
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGE,
        obj=user,
        changes=changes_since(before, user),
        via=via,
    )
    return user


@transaction.atomic
def language_set(*, user: User, language: str) -> User:
    """The user's own preferred language (one of the seven, or "" for the default)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"preferred_language": _("Choose one of the listed languages.")})
    before = snapshot(user, ["preferred_language"])
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    diff = changes_since(before, user)
    if diff:
        audit_record(actor=user, action=AuditAction.USER_UPDATE, obj=user, changes=diff)
    return user


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(
        user=user, name=twofactor.RECOVERY_DEVICE_NAME, confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(settings.MATIS_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def two_factor_enrol(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``user``'s new authenticator with a code from it; returns new recovery codes.

    None (and nothing changed) when the code is wrong. Any older authenticator
    and recovery codes of the user are replaced.
    """
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("Not this user's pending authenticator.")
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    before = snapshot(user, ["two_factor_confirmed_at"])
    user.two_factor_confirmed_at = timezone.now()
    user.save(update_fields=["two_factor_confirmed_at"])
    audit_record(
        actor=user,
        action=AuditAction.TWO_FACTOR_ENROL,
        obj=user,
        changes=changes_since(before, user),
        recovery_codes=len(codes),
    )
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a user with an authenticator (the old ones stop working)."""
    if not twofactor.has_two_factor(user):
        raise PermissionDenied("Set up two-factor sign-in first.")
    codes = _new_recovery_codes(user)
    audit_record(
        actor=user, action=AuditAction.TWO_FACTOR_ENROL, obj=user, recovery_codes=len(codes)
    )
    return codes


@transaction.atomic
def two_factor_check(*, user: User, token: str):
    """The device that accepts ``token`` (authenticator code or recovery code), else None.

    A recovery code works once (django-otp deletes it). Audited either way.
    """
    token = token.strip().replace(" ", "").replace("-", "").lower()
    # six digits: the authenticator; anything else: a recovery code (so a mistyped
    # recovery code does not slow down the authenticator, and the other way round)
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            method = "recovery_code" if isinstance(device, StaticDevice) else "authenticator"
            audit_record(
                actor=user,
                action=AuditAction.LOGIN_SECOND_FACTOR,
                obj=user,
                method=method,
            )
            return device
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        account=user.email,
        step="second_factor",
    )
    return None


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> User:
    """Remove a user's authenticator and recovery codes (a lost phone): set up again at sign-in."""
    if not can_manage(actor, user):
        raise PermissionDenied("This user is outside the administrator's scope.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    before = snapshot(user, ["two_factor_confirmed_at"])
    user.two_factor_confirmed_at = None
    user.save(update_fields=["two_factor_confirmed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TWO_FACTOR_RESET,
        obj=user,
        changes=changes_since(before, user),
    )
    return user
