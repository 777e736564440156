"""Floor statistics own no data: they read floor's tickets, queue events and window
sessions. This unmanaged model (no table) only carries the permission to see them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FloorStatistics(models.Model):
    """The permission `floorstats.view_floor_stats` (hall managers for their halls, the
    centre and the supervision office for every hall; `accounts/roles.py`)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_floor_stats", _("Can see the hall floor's statistics"))]
        verbose_name = _("floor statistics")
        verbose_name_plural = _("floor statistics")
