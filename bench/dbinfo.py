"""What bench/run.py needs to know of a database, through Django (so the same on every
engine); run with DATABASE_URL set, prints one line of JSON.

    .venv/bin/python bench/dbinfo.py intake               clerks' offers, with a new API token each
    .venv/bin/python bench/dbinfo.py lookups [--seed N]    (number, query code) of every case, shuffled
    .venv/bin/python bench/dbinfo.py fingerprint           counts and sums of the case tables
    .venv/bin/python bench/dbinfo.py ratings [--acts N]    unrated acts put on their windows' tablets
    .venv/bin/python bench/dbinfo.py sizes                 rows of the case tables; sizes on PostgreSQL
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


def ratings(acts: int, seed: int) -> dict:
    """Up to ``acts`` unrated service acts done at a window, put on their window's tablet
    again as the clerk's "please rate" leaves them (a `RatingRequest` dated now, so that
    the tablet may rate them for `tablet.RATE_WITHIN`), spread over every window that
    has some; and a pairing link per window (`tablet.pairing_token`), which the bench
    opens as a tablet would. The acts are the demo's simulated ones: the tablet rates
    acts of any age once they are asked for again. Returns the windows with their acts
    and the pairing paths."""
    from django.utils import timezone

    from onewindow.halls.models import Window
    from onewindow.ratings import tablet
    from onewindow.ratings.models import RatingRequest
    from onewindow.ratings.services import service_acts

    rows = list(
        service_acts()
        .filter(window__isnull=False, window__is_active=True, rating__isnull=True)
        .order_by("-at", "-pk")
        .values_list("pk", "window_id")[:acts]
    )
    random.Random(seed).shuffle(rows)
    per_window: dict[int, list[int]] = {}
    for pk, window_id in rows:
        per_window.setdefault(window_id, []).append(pk)
    now = timezone.now()
    RatingRequest.objects.bulk_create(
        [
            RatingRequest(event_id=pk, window_id=window_id, at=now)
            for window_id, pks in per_window.items()
            for pk in pks
        ],
        batch_size=2000,
    )
    windows = Window.objects.in_bulk(list(per_window))
    return {
        "tablets": [
            {
                "window": window_id,
                "pair": f"/rate/pair/{tablet.pairing_token(windows[window_id])}/",
                "acts": pks,
            }
            for window_id, pks in sorted(per_window.items())
        ],
        "acts": sum(len(p) for p in per_window.values()),
    }


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


def sizes() -> dict:
    """Rows of the case, event and monthly-count tables, and on PostgreSQL their size with
    indexes and the database's (what `make bench-10m` reports of its ten years)."""
    from django.db import connection

    from onewindow.cases.models import Case, CaseEvent, CaseTally

    pg = connection.vendor == "postgresql"
    out = {}
    with connection.cursor() as cur:
        for model in (Case, CaseEvent, CaseTally):
            table = model._meta.db_table
            size = f", pg_size_pretty(pg_total_relation_size('{table}'))" if pg else ""
            cur.execute(f"SELECT count(*){size} FROM {connection.ops.quote_name(table)}")
            out[table] = list(cur.fetchone())
        if pg:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            out["database"] = cur.fetchone()[0]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["intake", "lookups", "fingerprint", "ratings", "sizes"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--acts", type=int, default=20_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    if args.what == "intake":
        figures = intake()
    elif args.what == "lookups":
        figures = lookups(args.seed)
    elif args.what == "ratings":
        figures = ratings(args.acts, args.seed)
    elif args.what == "sizes":
        figures = sizes()
    else:
        figures = fingerprint()
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
