"""Server time of the staff case list (50 rows), measured in-process with the test client.

    DATABASE_URL=... .venv/bin/python bench/list_page.py --user cg_clerk --runs 30

Signs the user in, renders /staff/cases/ (the first page, 50 rows) a few times to warm up,
then ``--runs`` times, and prints one line of JSON: the median and the slowest time, the
rows shown, the SQL queries of one rendering, and the queries of a page showing a single
case (the search for the first case's number): a page whose query count grows with its
rows loads something per row. The floor: the constant view (/healthz) through the same
client. Requests are marked secure (secure=True): under the production settings a plain
http request is only redirected.
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


def timed(client, url: str, runs: int) -> list[float]:
    for _ in range(3):
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url, secure=True)
        times.append(time.perf_counter() - t0)
    return times


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
    times = timed(client, url, args.runs)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, secure=True)
    queries = len(captured)  # now: the next request clears the connection's query log
    cases = response.context["cases"] if response.context and "cases" in response.context else []
    one_queries = None
    if cases:
        with CaptureQueriesContext(connection) as one:
            single = client.get(reverse("cases:list") + f"?q={cases[0].number}", secure=True)
        assert single.status_code == 200
        one_rows = len(single.context["cases"])
        one_queries = len(one)
    constant = timed(Client(), "/healthz", 200)
    print(
        json.dumps(
            {
                "median_ms": statistics.median(times) * 1000,
                "max_ms": max(times) * 1000,
                "runs": args.runs,
                "rows": len(cases),
                "queries": queries,
                "single_case_rows": one_rows if cases else None,
                "single_case_queries": one_queries,
                "fixed_query_count": one_queries == queries,
                "constant_view_median_ms": statistics.median(constant) * 1000,
                "user": args.user,
            }
        )
    )


if __name__ == "__main__":
    main()
