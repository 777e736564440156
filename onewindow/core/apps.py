from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


class CoreConfig(AppConfig):
    """Shared plumbing: branding, the hall-scoping query helper, template tags."""

    name = "onewindow.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.conf import settings
        from django.core import signals
        from django.core.cache import close_caches

        # Django closes every cache at the end of each request, for backends that hold a
        # connection. The in-process cache holds none (its close does nothing), but
        # going through the cache handler cost ~2 % of a public status lookup.
        if all(c.get("BACKEND") == LOCMEM for c in settings.CACHES.values()):
            signals.request_finished.disconnect(close_caches)
