from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    """Bulletins (通报, 中心动态): written by the centre, distributed (报/送/发) and acknowledged."""

    name = "onewindow.bulletins"
    label = "bulletins"
    verbose_name = _("Bulletins")
