from django.db import models
from django.utils.translation import gettext_lazy as _


class Insight(models.Model):
    """No table: the holder of the app's permission (the pages read the case tables)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_insight", _("Can see the process insight"))]
