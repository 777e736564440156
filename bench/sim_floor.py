"""The floor of the simulation benchmark: the identical rows, written with the driver alone.

    DATABASE_URL=... .venv/bin/python bench/sim_floor.py --year 2025 --cases N --seed S

Reads the same snapshot and builds the same generator as `onewindow simulate` on the same
database (so the rows, ids and case numbers are identical), then writes every batch in
one transaction per batch, as the command does, with nothing of Django in between:

* PostgreSQL: COPY … FROM STDIN per table (psycopg's ``cursor.copy``, ``write_row``),
  on a connection of its own with the session time zone Django sets (UTC);
* SQLite: ``sqlite3.executemany`` per table, with the connection settings of Django's
  (the settings' ``init_command``, foreign keys on) and the page cache the command asks
  for.

Only the writes and commits are timed; generating the rows is not. Prints one line of
JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sqlite_writer(connection, statements):
    import sqlite3

    settings = connection.settings_dict
    path = settings["NAME"]
    init = settings.get("OPTIONS", {}).get("init_command", "")
    connection.close()
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in [s.strip() for s in init.split(";") if s.strip()]:
        db.execute(pragma)
    db.execute("PRAGMA foreign_keys=ON")  # as Django's connection has it
    db.execute("PRAGMA cache_size = -262144")  # as `simulate` asks for
    inserts = [(key, sql.replace("%s", "?"), tail) for key, sql, tail in statements]

    def write(batch):
        db.execute("BEGIN IMMEDIATE")
        for key, sql, tail in inserts:
            chunk = batch[key]
            if chunk:
                db.executemany(sql, [(*r, *tail) for r in chunk] if tail else chunk)
        db.execute("COMMIT")

    return write, db.close


def postgresql_writer(connection, statements):
    import psycopg

    s = connection.settings_dict
    connection.close()
    db = psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        dbname=s["NAME"],
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
    )
    db.execute("SET TIME ZONE 'UTC'")  # as Django's connection (USE_TZ)
    db.commit()
    copies = [
        (
            key,
            "COPY " + sql.split(" VALUES ", 1)[0].replace("INSERT INTO ", "", 1) + " FROM STDIN",
            tail,
        )
        for key, sql, tail in statements
    ]

    def write(batch):
        with db.transaction(), db.cursor() as cur:
            for key, sql, tail in copies:
                chunk = batch[key]
                if not chunk:
                    continue
                with cur.copy(sql) as copy:
                    if tail:
                        for r in chunk:
                            copy.write_row((*r, *tail))
                    else:
                        for r in chunk:
                            copy.write_row(r)

    return write, db.close


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import connection

    from onewindow.cases import simulate
    from onewindow.cases.simulate.write import table_sql

    options = simulate.Options.for_year(args.year, args.cases, seed=args.seed)
    gen = simulate.make_generator(options)
    statements = table_sql(connection)
    vendor = connection.vendor
    if vendor == "postgresql":
        write, close = postgresql_writer(connection, statements)
        method = "COPY (psycopg cursor.copy)"
    else:
        write, close = sqlite_writer(connection, statements)
        method = "sqlite3 executemany"
    gc.disable()
    timed = generated = 0.0
    rows = cases = events = 0
    started = time.perf_counter()
    batches = gen.batches()
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        generated += time.perf_counter() - t0
        if batch is None:
            break
        t0 = time.perf_counter()
        write(batch)
        timed += time.perf_counter() - t0
        rows += sum(len(v) for v in batch.values())
        cases += len(batch["case"])
        events += len(batch["event"])
    close()
    print(
        json.dumps(
            {
                "engine": vendor,
                "method": method,
                "insert_seconds": timed,
                "generate_seconds": generated,
                "wall_seconds": time.perf_counter() - started,
                "rows": rows,
                "cases": cases,
                "events": events,
            }
        )
    )


if __name__ == "__main__":
    main()
