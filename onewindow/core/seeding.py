"""Reference rows written by a data migration, put back after a test flush.

`flush` (pytest-django's transactional tests, the live server) empties every table, also
the categories and clauses that a data migration seeded; supervision's rules are topped up
the same way (supervision.defaults). The receiver writes the seed again only when the
table is empty, so it never undoes what the office edited.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connections, router


def reseed_when_empty(app_label: str, model_name: str, migration: str):
    """A post_migrate receiver that runs `seed(apps, schema_editor)` of the data
    migration module `migration` when the model's table exists and is empty."""

    def receiver(sender, apps=None, using="default", **kwargs) -> None:
        from django.apps import apps as global_apps

        registry = apps or global_apps  # `migrate` sends its state; `flush` sends none
        try:
            model = registry.get_model(app_label, model_name)
        except LookupError:  # migrated back to zero
            return
        if not router.allow_migrate_model(using, model):
            return
        if model._meta.db_table not in connections[using].introspection.table_names():
            return
        if model.objects.using(using).exists():
            return
        import_module(migration).seed(registry, None)

    return receiver
