from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared plumbing: branding, the hall-scoping query helper, template tags."""

    name = "onewindow.core"
    label = "core"
    verbose_name = _("Core")
