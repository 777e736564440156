from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """The service item catalogue (事项目录): versions, review, public guides, Excel exchange."""

    name = "onewindow.catalogue"
    label = "catalogue"
    verbose_name = _("Service item catalogue")
