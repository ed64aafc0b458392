"""Persons: names as written and romanised, age, gender, citizenship, documents."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import AgeBasis, DocumentType
from matis.cases.htcds import Gender
from matis.cases.protection import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from matis.common.models import Country, TimeStampedModel

CHILD_AGE = 18


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Person(TimeStampedModel):
    """A possible or identified victim. Names, birth date and contacts are encrypted at rest.

    Kept in the clear, for filters and statistics: gender, citizenship,
    statelessness, languages and the age in years at registration.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("registered in"), on_delete=models.PROTECT, related_name="+"
    )
    given_name = EncryptedCharField(_("Given name(s) as written"), max_length=200)
    family_name = EncryptedCharField(_("Family name as written"), max_length=200, blank=True)
    romanised_given = EncryptedCharField(_("Given name(s), romanised"), max_length=200, blank=True)
    romanised_family = EncryptedCharField(_("Family name, romanised"), max_length=200, blank=True)
    aliases = EncryptedJSONField(_("Other names and aliases"), default=list, blank=True)
    date_of_birth = EncryptedDateField(_("Date of birth"), null=True, blank=True)
    age_basis = models.CharField(
        _("age known from"), max_length=12, choices=AgeBasis.choices, default=AgeBasis.UNKNOWN
    )
    age_at_registration = models.PositiveSmallIntegerField(
        _("age at registration (years)"), null=True, blank=True
    )
    registered_on = models.DateField(_("registered on"), default=dt.date.today)
    gender = models.CharField(
        _("Gender"), max_length=24, choices=Gender.choices, default=Gender.NON_SPECIFIED_UNKNOWN
    )
    primary_citizenship = models.ForeignKey(
        Country,
        verbose_name=_("Citizenship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    other_citizenships = models.JSONField(_("other citizenships"), default=list, blank=True)
    stateless = models.BooleanField(_("Stateless"), default=False)
    languages = models.JSONField(_("Languages"), default=list, blank=True)
    contact_notes = EncryptedTextField(_("Contact details"), blank=True)

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Persons")

    def __str__(self) -> str:
        return f"{_('person')} {self.pk}"

    def clean(self):
        super().clean()
        if self.stateless and self.primary_citizenship_id:
            raise ValidationError({"stateless": _("A stateless person has no citizenship.")})
        if self.date_of_birth and self.date_of_birth > self.registered_on:
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
        if self.age_basis == AgeBasis.ESTIMATED and self.age_at_registration is None:
            raise ValidationError({"age_at_registration": _("Give the estimated age.")})

    def derive_age(self) -> None:
        """Set the clear-text age fields from the (encrypted) date of birth."""
        if self.date_of_birth:
            self.age_basis = AgeBasis.DATE_OF_BIRTH
            self.age_at_registration = age_on(self.date_of_birth, self.registered_on)
        elif self.age_at_registration is not None:
            self.age_basis = AgeBasis.ESTIMATED
        else:
            self.age_basis = AgeBasis.UNKNOWN

    def current_age(self, today: dt.date | None = None) -> int | None:
        today = today or dt.date.today()
        if self.date_of_birth:
            return age_on(self.date_of_birth, today)
        if self.age_at_registration is not None:
            return self.age_at_registration + age_on(self.registered_on, today)
        return None

    @property
    def is_child(self) -> bool:
        """Under 18 now, or of unknown age: the child protocol applies (benefit of the doubt)."""
        age = self.current_age()
        return age is None or age < CHILD_AGE

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def display_romanised(self) -> str:
        return " ".join(p for p in (self.romanised_given, self.romanised_family) if p)

    @property
    def language_labels(self) -> list[str]:
        from matis.cases.choices import Language

        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages or []]

    def searchable_names(self) -> list[str]:
        names = [self.display_name, self.given_name, self.family_name, self.display_romanised]
        names += [self.romanised_given, self.romanised_family, *(self.aliases or [])]
        return [n for n in names if n]


class IdentityDocument(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("Document"), max_length=24, choices=DocumentType.choices)
    number = EncryptedCharField(_("number"), max_length=64)
    issuing_country = models.ForeignKey(
        Country,
        verbose_name=_("Issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    held_by_person = models.BooleanField(
        _("The person holds it"),
        default=True,
        help_text=_("Untick when an employer or broker keeps the document."),
    )

    class Meta:
        verbose_name = _("Identity document")
        verbose_name_plural = _("identity documents")


class PersonSearchToken(models.Model):
    """One blind-index digest of a person's name, romanised name or document number."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_tokens")
    digest = models.CharField(max_length=16, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "digest"], name="cases_token_unique"),
        ]

    def __str__(self) -> str:
        return self.digest
