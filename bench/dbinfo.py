"""What bench/run.py needs to know of a database, through Django (so the same on every
engine); run with DATABASE_URL set, prints one line of JSON.

    .venv/bin/python bench/dbinfo.py intake               clerks' offers, with a new API token each
    .venv/bin/python bench/dbinfo.py lookups [--seed N]    (number, query code) of every case, shuffled
    .venv/bin/python bench/dbinfo.py fingerprint           counts and sums of the case tables
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def intake() -> dict:
    """Per window clerk and hall: each item published in the hall with its required
    materials, a window of the hall, and one API token per clerk, issued the way
    `onewindow token create` does."""
    from onewindow.accounts.models import User
    from onewindow.accounts.services import create_api_token
    from onewindow.catalogue.models import Material, ServiceItem
    from onewindow.halls.models import Window

    clerks = (
        User.objects.filter(is_active=True, groups__name="window_clerk")
        .distinct()
        .order_by("username")
    )
    offers = []
    tokens = {}
    for clerk in clerks:
        for hall in clerk.halls.order_by("code"):
            items = (
                ServiceItem.objects.filter(
                    published_version__isnull=False, published_version__halls=hall
                )
                .select_related("published_version")
                .order_by("implementation_code")
            )
            windows = list(
                Window.objects.filter(hall=hall, is_active=True)
                .order_by("number")
                .values_list("number", flat=True)
            )
            for n, item in enumerate(items):
                if clerk.username not in tokens:
                    tokens[clerk.username] = create_api_token(actor=None, user=clerk, label="bench")
                required = list(
                    Material.objects.filter(version=item.published_version, required=True)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                offers.append(
                    {
                        "user": clerk.username,
                        "hall": hall.code,
                        "token": tokens[clerk.username],
                        "window": windows[n % len(windows)] if windows else None,
                        "item": item.implementation_code,
                        "materials": required,
                    }
                )
    return {"offers": offers, "clerks": len(tokens)}


def lookups(seed: int) -> dict:
    from onewindow.cases.models import Case

    rows = list(
        Case.objects.exclude(query_code__isnull=True)
        .exclude(query_code="")
        .order_by("pk")
        .values_list("number", "query_code")
    )
    random.Random(seed).shuffle(rows)
    return {"lookups": rows}


def fingerprint() -> dict:
    """Counts and sums that differ if any row differs in a way that matters."""
    from django.db import connection

    from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStep

    t = {
        m.__name__: connection.ops.quote_name(m._meta.db_table)
        for m in (Case, CaseEvent, CaseMaterial, CaseStep)
    }
    queries = {
        "cases": f"SELECT count(*), max(id), sum(length(number)), sum(version), sum(length(status)), max(received_at) FROM {t['Case']}",
        "events": f"SELECT count(*), sum(seq), sum(length(CAST(data AS TEXT))), max(at), sum(coalesce(actor_id, 0)) FROM {t['CaseEvent']}",
        "steps": f"SELECT count(*), max(id), count(due_date) FROM {t['CaseStep']}",
        "materials": f"SELECT count(*), sum(CASE WHEN provided THEN 1 ELSE 0 END) FROM {t['CaseMaterial']}",
    }
    out = {}
    with connection.cursor() as cur:
        for key, sql in queries.items():
            cur.execute(sql)
            out[key] = [str(v) if v is not None else None for v in cur.fetchone()]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["intake", "lookups", "fingerprint"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    if args.what == "intake":
        figures = intake()
    elif args.what == "lookups":
        figures = lookups(args.seed)
    else:
        figures = fingerprint()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
