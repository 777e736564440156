"""The floor of the simulation benchmark: the identical rows, inserted with bare sqlite3.

    DATABASE_URL=sqlite:///path .venv/bin/python bench/sim_floor.py --year 2025 --cases N --seed S

Reads the same snapshot and builds the same generator as `onewindow simulate` on the same
database (so the rows, ids and case numbers are identical), then inserts every batch with
``sqlite3.executemany`` into the same schema, with the same connection settings (WAL,
synchronous=NORMAL, the same page cache) and the same transaction per batch. Only the
inserts and commits are timed; generating the rows is not. Prints one line of JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    statements = [(key, sql.replace("%s", "?"), tail) for key, sql, tail in table_sql(connection)]
    path = connection.settings_dict["NAME"]
    connection.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")  # as Django's connection has it
    db.execute("PRAGMA cache_size = -262144")
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
        db.execute("BEGIN IMMEDIATE")
        for key, sql, tail in statements:
            chunk = batch[key]
            if chunk:
                db.executemany(sql, [(*r, *tail) for r in chunk] if tail else chunk)
        db.execute("COMMIT")
        timed += time.perf_counter() - t0
        rows += sum(len(v) for v in batch.values())
        cases += len(batch["case"])
        events += len(batch["event"])
    db.close()
    print(
        json.dumps(
            {
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
