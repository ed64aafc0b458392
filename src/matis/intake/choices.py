"""Value lists of tips and group registrations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline call")
    WEB = "web", _("Web form")
    MESSAGING = "messaging", _("Messaging app")
    POLICE = "police", _("Police report")


# Channels that are a hotline or complaint mechanism (PRE4); a police report is not.
HOTLINE_CHANNELS = (Channel.HOTLINE, Channel.WEB, Channel.MESSAGING)


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate danger")


class TipStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    REFERRED = "referred", _("Referred to law enforcement")
    CONVERTED = "converted", _("Converted into cases")
    CLOSED = "closed", _("Closed")
