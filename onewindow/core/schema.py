"""Schema changes the migrations share."""

from __future__ import annotations

from django.db import migrations


def without_own_indexes(
    app_label: str, alterations: list[migrations.AlterField]
) -> migrations.SeparateDatabaseAndState:
    """The ``AlterField`` operations that set ``db_index=False``, applied to the state,
    with the database change done by hand: the single-column, non-unique indexes of
    those fields are dropped, found by introspection (on PostgreSQL a text column also
    has its ``_like`` index); reversed, they are created again as Django would.

    Django itself would rebuild the whole table on SQLite to change ``db_index``; this
    way an existing database is changed in an instant."""

    def fields(apps):
        for op in alterations:
            model = apps.get_model(app_label, op.model_name)
            yield model, model._meta.get_field(op.name)

    def drop(apps, schema_editor):
        connection = schema_editor.connection
        for model, field in fields(apps):
            with connection.cursor() as cursor:
                constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for name, info in constraints.items():
                if (
                    info["columns"] == [field.column]
                    and info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                ):
                    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def create(apps, schema_editor):
        # The state before the change (db_index=True): the indexes Django gives the
        # field, the ``_like`` one on PostgreSQL included.
        for model, field in fields(apps):
            for statement in schema_editor._field_indexes_sql(model, field):
                schema_editor.execute(statement)

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(drop, create)],
        state_operations=alterations,
    )
