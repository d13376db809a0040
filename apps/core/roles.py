"""The five roles of DESIGN.md and the groups of them that rules refer to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County federation staff")
    TOWNSHIP_STAFF = "township_staff", _("Township federation staff")
    VILLAGE_REP = "village_rep", _("Village women's representative")
    DEPT_LIAISON = "dept_liaison", _("Department liaison officer")
    LEADER = "leader", _("Leader")
