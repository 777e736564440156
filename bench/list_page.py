"""Server time of the staff case list (50 rows), measured in-process with the test client.

    DATABASE_URL=sqlite:///path .venv/bin/python bench/list_page.py --user cg_clerk --runs 30

Signs the user in, renders /staff/cases/ (the first page, 50 rows) a few times to warm up,
then ``--runs`` times, and prints one line of JSON: the median and the slowest time, the
rows shown and the number of SQL queries of one rendering.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="cg_clerk")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--query", default="", help="query string, e.g. status=accepted")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from onewindow.accounts.models import User

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    url = reverse("cases:list") + (f"?{args.query}" if args.query else "")
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = (
        len(response.context["cases"]) if response.context and "cases" in response.context else None
    )
    print(
        json.dumps(
            {
                "median_ms": statistics.median(times) * 1000,
                "max_ms": max(times) * 1000,
                "runs": args.runs,
                "rows": rows,
                "queries": len(queries),
                "user": args.user,
            }
        )
    )


if __name__ == "__main__":
    main()
