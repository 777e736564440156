import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Load what every request needs before the first one comes: the URL configuration
    (its imports: ninja, the schemas, pinyin) and the parts of the items in force
    (catalogue.models.preload_frozen_parts). A process that starts under load otherwise
    answers its first requests seconds late."""
    from django.db import DatabaseError, connection
    from django.urls import get_resolver

    from onewindow.catalogue.models import preload_frozen_parts

    get_resolver().url_patterns  # noqa: B018 (imports the URL configuration)
    try:
        preload_frozen_parts()
    except DatabaseError:  # not migrated yet: the parts are read on first use instead
        logging.getLogger("onewindow").warning("catalogue not loaded at start", exc_info=True)
    finally:
        connection.close()


_warm_up()
