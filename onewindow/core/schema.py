"""Schema changes the migrations share."""

from __future__ import annotations

from django.db import migrations


def drop_column_indexes(app_label: str, columns: list[tuple[str, str]]) -> migrations.RunPython:
    """A migration operation that drops the single-column, non-unique indexes of the given
    (model name, column) pairs, found by introspection (on PostgreSQL a text column also
    has its ``_like`` index); reversed, it creates them again as Django would.

    Django would rebuild the whole table on SQLite to change a field's ``db_index``; used
    with SeparateDatabaseAndState (the state gets the AlterField), an existing database
    is changed in an instant."""

    def drop(apps, schema_editor):
        connection = schema_editor.connection
        for model_name, column in columns:
            table = apps.get_model(app_label, model_name)._meta.db_table
            with connection.cursor() as cursor:
                constraints = connection.introspection.get_constraints(cursor, table)
            for name, info in constraints.items():
                if (
                    info["columns"] == [column]
                    and info["index"]
                    and not info["unique"]
                    and not info["primary_key"]
                ):
                    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def create(apps, schema_editor):
        # The state before the drop (db_index=True): the indexes Django gives the field,
        # the ``_like`` one on PostgreSQL included.
        for model_name, column in columns:
            model = apps.get_model(app_label, model_name)
            field = next(f for f in model._meta.local_fields if f.column == column)
            for statement in schema_editor._field_indexes_sql(model, field):
                schema_editor.execute(statement)

    return migrations.RunPython(drop, create)
