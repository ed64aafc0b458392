"""Users, agencies, roles and the audit log."""

from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country, TimeStampedModel


class Role(models.TextChoices):
    TASK_FORCE_OFFICER = "task_force_officer", _("COMMIT task force officer")
    STATISTICS_OFFICER = "statistics_officer", _("Statistics officer")
    CASE_WORKER = "case_worker", _("Case worker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    JUSTICE_OFFICER = "justice_officer", _("Justice officer")
    SECRETARIAT_ANALYST = "secretariat_analyst", _("Secretariat analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that may work across all countries (country left empty).
REGION_WIDE_ROLES = frozenset({Role.SECRETARIAT_ANALYST, Role.AUDITOR, Role.ADMINISTRATOR})


class OrganisationType(models.TextChoices):
    """HTCDS 2.0 ``org_Type`` values, plus the COMMIT-specific ones."""

    NGO = "NGO", _("Non-governmental organisation")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government")
    IMMIGRATION = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")
    INTERNATIONAL = "InternationalOrganisation", _("International organisation")
    SECRETARIAT = "COMMITSecretariat", _("COMMIT secretariat")


class Agency(TimeStampedModel):
    """An organisation whose staff use MATIS (ministry, police unit, shelter, NGO...)."""

    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        help_text=_("Empty only for the regional secretariat."),
    )
    org_type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    city = models.CharField(_("city"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="agency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.ADMINISTRATOR)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A MATIS user: logs in by email, has one role and is scoped to one country."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The country whose data this user works with. Empty: all (secretariat)."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    # Set when someone else chose the password (an administrator, at creation or
    # reset): the next sign-in asks for a new one before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # When the user confirmed an authenticator app (django-otp TOTP device); empty: none.
    two_factor_confirmed_at = models.DateTimeField(
        _("two-factor sign-in set up"), null=True, blank=True
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=False)
                | Q(role__in=sorted(r.value for r in REGION_WIDE_ROLES)),
                name="user_country_required_unless_region_wide",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.country_id is None and self.role not in REGION_WIDE_ROLES:
            raise ValidationError({"country": _("This role must be scoped to one country.")})
        if (
            self.agency_id
            and self.country_id
            and self.agency.country_id not in (None, self.country_id)
        ):
            raise ValidationError({"agency": _("The agency belongs to another country.")})

    @property
    def is_region_wide(self) -> bool:
        return self.country_id is None

    def can_see_country(self, country_id: str | None) -> bool:
        """True when this user may see data of ``country_id`` (ISO alpha-3)."""
        if not self.is_active:
            return False
        if self.is_region_wide:
            return True
        return country_id is not None and country_id == self.country_id

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles or self.is_superuser)


class AuditAction(models.TextChoices):
    """The fixed list of things the audit log records."""

    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    LOGIN_SECOND_FACTOR = "login_second_factor", _("Second sign-in step passed")
    USER_INVITE = "user_invite", _("User invited")
    PASSWORD_RESET = "password_reset", _("Password reset link sent")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    TWO_FACTOR_ENROL = "two_factor_enrol", _("Two-factor sign-in set up")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset")
    USER_CREATE = "user_create", _("User created")
    USER_UPDATE = "user_update", _("User updated")
    AGENCY_CREATE = "agency_create", _("Agency created")
    AGENCY_UPDATE = "agency_update", _("Agency updated")
    REGISTRY_LOAD = "registry_load", _("Plan registry loaded")
    DEMO_LOAD = "demo_load", _("Demo data loaded")
    RECORD_CREATE = "record_create", _("Record created")
    RECORD_UPDATE = "record_update", _("Record updated")
    RECORD_DELETE = "record_delete", _("Record deleted")
    RECORD_READ = "record_read", _("Record read")
    STATUS_CHANGE = "status_change", _("Status changed")
    IMPORT = "import", _("Data imported")
    EXPORT = "export", _("Data exported")
    ACCESS_DENIED = "access_denied", _("Access denied")
    BREAK_GLASS = "break_glass", _("Emergency access")
    SEARCH = "search", _("Searched")
    SUBMIT = "submit", _("Submitted")
    REVIEW = "review", _("Reviewed")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Returned")
    LOCK = "lock", _("Locked")
    UNLOCK = "unlock", _("Unlocked")
    FILE_UPLOAD = "file_upload", _("File uploaded")
    FILE_DOWNLOAD = "file_download", _("File downloaded")
    CONSENT_CHANGE = "consent_change", _("Consent changed")
    ALERT_RAISE = "alert_raise", _("Alert raised")
    ALERT_RESOLVE = "alert_resolve", _("Alert resolved")
    REFERRAL = "referral", _("Referral")
    SHARE = "share", _("Shared")
    SUBJECT_ACCESS_EXPORT = "subject_access_export", _("Subject access export")
    SECURE_DELETE = "secure_delete", _("Securely deleted")
    REPORT_RENDER = "report_render", _("Report rendered")
    KEY_ROTATE = "key_rotate", _("Encryption key rotated")
    JOB_RUN = "job_run", _("Background job run")


class AuditLog(models.Model):
    """One row per audited event; written by services in the same transaction."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Before/after values of an update, ``{"role": ["case_worker", "case_supervisor"]}``;
    # personal (encrypted) fields hold ciphertext only (see matis.access.audit).
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def change_rows(self) -> list:
        """The before/after values of ``changes``, labelled for the audit page."""
        from matis.access.audit import describe_changes

        return describe_changes(self)
