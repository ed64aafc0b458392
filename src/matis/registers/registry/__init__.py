"""The registers: each one described once; pages, Excel, API and charts follow from it.

One module per sub-domain; importing this package defines every register.
"""

from django.utils.translation import gettext_lazy as _

from matis.registers.registry import (  # noqa: F401 - each module defines its registers
    agreements,
    assessments,
    meetings,
    prevention,
    training,
    units,
)

GROUPS = {
    "training": _("Training and capacity"),
    "agreements": _("Agreements and SOPs"),
    "units": _("Specialist units"),
    "assessments": _("Information exchange and assessments"),
    "prevention": _("Prevention"),
    "meetings": _("Meetings"),
}
