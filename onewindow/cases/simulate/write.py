"""Writing the generated rows: plain executemany per table, one transaction per batch."""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import transaction

# Columns written, in the order of the generated tuples. Model columns not listed are
# filled with their default (see `write.table_sql`); a test checks that nothing that
# matters is left out.
CASE_COLUMNS = (
    "id", "number", "query_code", "source", "hall_id", "window_id", "department_id", "item_id",
    "item_version_id", "is_immediate", "applicant_kind", "applicant_name", "applicant_id_number",
    "contact_name", "contact_phone", "status", "received_at", "received_by_id", "accepted_at",
    "accepted_on", "concluded_at", "delivered_at", "legal_limit_days", "promised_limit_days",
    "extension_days", "suspended_days", "suspended_since", "promised_due_date", "legal_due_date",
    "due_provisional", "current_step_id", "current_assignee_id", "gaps_due_date", "gaps_promise",
    "refusal_reason", "result", "result_reason", "remedies", "certificate_number",
    "certificate_valid_until", "outcome_promised", "outcome_legal", "working_days_used",
    "minutes_used", "fee_charged", "delivery_method", "version", "updated_at",
    "acceptance_deemed", "refused_at",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "case_id", "step_id", "position", "name", "role", "assignee_id", "started_at",
    "due_date", "finished_at", "decision", "opinion",
)  # fmt: skip
MATERIAL_COLUMNS = ("case_id", "material_id", "name", "required", "provided", "to_follow")
EVENT_COLUMNS = (
    "case_id", "seq", "kind", "at", "actor_id", "hall_id", "window_id", "step_position",
    "from_status", "to_status", "reason", "data",
)  # fmt: skip
CORRECTION_COLUMNS = (
    "case_id",
    "round",
    "items",
    "issued_at",
    "issued_by_id",
    "supplied_at",
    "due_by",
    "late",
)
SUSPENSION_COLUMNS = (
    "case_id", "kind", "reason", "max_days", "started_on", "resumed_on", "days_added", "started_by_id",
)  # fmt: skip
EXTENSION_COLUMNS = (
    "case_id", "days", "reason", "requested_by_id", "approver_id", "at", "status", "decided_at",
    "decision_note",
)  # fmt: skip
FEE_LINE_COLUMNS = ("case_id", "fee_id", "name", "waived", "reduced", "extra_copies", "due")

# (key, model name in the cases app, columns), in insertion order.
TABLES = (
    ("case", "Case", CASE_COLUMNS),
    ("step", "CaseStep", STEP_COLUMNS),
    ("material", "CaseMaterial", MATERIAL_COLUMNS),
    ("event", "CaseEvent", EVENT_COLUMNS),
    ("correction", "CorrectionNotice", CORRECTION_COLUMNS),
    ("suspension", "Suspension", SUSPENSION_COLUMNS),
    ("extension", "Extension", EXTENSION_COLUMNS),
    ("fee_line", "CaseFeeLine", FEE_LINE_COLUMNS),
)


class SchemaError(Exception):
    pass


def table_sql(conn) -> list[tuple[str, str, tuple]]:
    """(table key, INSERT with %s placeholders, constant tail) per table.

    Model columns the generator does not produce are filled with the model's default as
    a constant tail appended to every row (nullable ones are left to NULL), so a field
    added later does not break the simulation; one without any default stops it with a
    clear message.
    """
    out = []
    for key, model_name, columns in TABLES:
        model = apps.get_model("cases", model_name)
        extra, values = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns or f.primary_key:
                continue
            if f.has_default():
                values.append(f.get_db_prep_save(f.get_default(), conn))
            elif f.null:
                continue
            else:
                raise SchemaError(
                    f"{model_name}.{f.name} has no default: teach the simulation to fill it"
                )
            extra.append(f.column)
        names = ", ".join(conn.ops.quote_name(c) for c in (*columns, *extra))
        marks = ", ".join(["%s"] * (len(columns) + len(extra)))
        out.append(
            (
                key,
                f"INSERT INTO {conn.ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})",
                tuple(values),
            )
        )
    return out


def write_batch(conn, statements, rows: dict) -> None:
    """One transaction per batch: executemany per table (COPY on PostgreSQL, its bulk
    path), and the case number counters of the batch's days raised in the same
    transaction, so that whatever was written is consistent when the run is killed.
    PostgreSQL's id sequences of the cases and steps (whose ids the generator chooses)
    are moved past them with each batch too: after a killed run the services must not
    draw an id that the simulation already used."""
    with transaction.atomic(using=conn.alias):
        with conn.cursor() as cur:
            for key, sql, tail in statements:
                batch = rows[key]
                if not batch:
                    continue
                if tail:
                    batch = [(*r, *tail) for r in batch]
                if conn.vendor == "postgresql":
                    _copy(cur, sql, batch)
                else:
                    cur.executemany(sql, batch)
        if rows.get("counters"):
            raise_counters(rows["counters"], conn)
        if rows["case"] or rows["step"]:
            reset_sequences(conn, ("Case", "CaseStep"))


def analyze(conn, tables) -> None:
    """Refresh the planner's statistics of tables that were just loaded in bulk.

    PostgreSQL's advice after a bulk load: until autovacuum comes round, the planner
    plans with the statistics of the empty tables (nested loops over what are now
    thousands of rows). SQLite has no statistics until it is told; it samples the
    indexes (`analysis_limit`) instead of reading them all.
    """
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("PRAGMA analysis_limit = 2000")
        for table in tables:
            cur.execute(f"ANALYZE {conn.ops.quote_name(table)}")


def loaded_tables() -> list[str]:
    """The tables the simulation writes."""
    return [apps.get_model("cases", model_name)._meta.db_table for _k, model_name, _c in TABLES]


def _copy(cur, insert_sql: str, batch) -> None:
    """COPY … FROM STDIN for the columns of ``insert_sql`` (psycopg 3)."""
    head = insert_sql.split(" VALUES ", 1)[0].replace("INSERT INTO ", "", 1)
    with cur.cursor.copy(f"COPY {head} FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)


def next_ids(conn) -> tuple[int, int]:
    """The first free case and step ids (the generator allocates those two itself)."""
    out = []
    with conn.cursor() as cur:
        for name in ("Case", "CaseStep"):
            table = conn.ops.quote_name(apps.get_model("cases", name)._meta.db_table)
            cur.execute(f"SELECT MAX(id) FROM {table}")
            out.append((cur.fetchone()[0] or 0) + 1)
    return out[0], out[1]


def existing_counters(start, end, hall_ids) -> dict:
    CaseNumberCounter = apps.get_model("cases", "CaseNumberCounter")
    rows = CaseNumberCounter.objects.filter(
        day__gte=start, day__lte=end, hall_id__in=list(hall_ids)
    )
    return {(row.hall_id, row.day): row.last for row in rows}


def reserve_counters(counters: dict, conn) -> None:
    """Raise each hall's daily counter to the last simulated number, so that the live
    numbering (`numbering.next_sequence`) continues after it. Never lowers a counter.
    Also resets the id sequences (PostgreSQL) past the ids the generator chose."""
    with transaction.atomic(using=conn.alias):
        raise_counters(counters, conn)
        reset_sequences(conn, [name for _key, name, _cols in TABLES])


def reset_sequences(conn, model_names) -> None:
    """Move the id sequences of these models of the cases app past their largest id
    (PostgreSQL; SQLite keeps its own)."""
    models = [apps.get_model("cases", name) for name in model_names]
    statements = conn.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


def raise_counters(counters: dict, conn) -> None:
    """Raise each (hall, day) counter to at least the given last number."""
    CaseNumberCounter = apps.get_model("cases", "CaseNumberCounter")
    existing = {
        (row.hall_id, row.day): row
        for row in CaseNumberCounter.objects.using(conn.alias).filter(
            hall_id__in={h for h, _d in counters}, day__in={d for _h, d in counters}
        )
    }
    new = []
    for (hall_id, day), last in counters.items():
        row = existing.get((hall_id, day))
        if row is None:
            new.append(CaseNumberCounter(hall_id=hall_id, day=day, last=last))
        elif row.last < last:
            CaseNumberCounter.objects.using(conn.alias).filter(pk=row.pk, last__lt=last).update(
                last=last
            )
    CaseNumberCounter.objects.using(conn.alias).bulk_create(new, batch_size=1000)
