"""Benchmark of the e-supervision scanner: 100,000 open cases.

    .venv/bin/python bench/supervision_scan.py [--cases 100000] [--json] [--keep]
        [--database-url URL]

Builds a throw-away database (SQLite in a temporary directory, or the empty database
``--database-url`` names, e.g. a PostgreSQL one bench/run.py made): migrate, then the
cases written with bulk_create, not through the case services. On PostgreSQL the case
tables are then analysed, as autovacuum would have done on a live database after that
many new rows (a table without statistics leaves the planner guessing); SQLite's
statistics are the scanner's own business (below). Then it times:

* ``full_scan``: the first scan over every open case, raising every breach (on a database
  never analysed, it includes the one-off ANALYZE of the case tables, shown apart);
* ``full_rescan``: a second full scan that finds nothing new (the pure evaluation cost);
* ``incremental``: a scan 15 seconds later after 500 cases changed;
* ``incremental_next_day``: the first scan after midnight, when due dates moved into the
  windows of the clock rules without any case changing;
* ``floor_select_open``: one plain SQL pass over the open cases' due dates, for scale.

The target is a full scan within 2 seconds. `run()` returns the figures as a
dict for a bench runner (in a subprocess when Django is already set up in the caller).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def run(cases: int = 100_000, keep: bool = False, database_url: str | None = None) -> dict:
    """Build the database, time the scans, return the figures."""
    try:
        from django.conf import settings

        configured = settings.configured
    except ImportError:  # pragma: no cover - the venv always has Django
        configured = False
    if configured:
        # This process already has its database: measure in a fresh one.
        extra = ["--database-url", database_url] if database_url else []
        out = subprocess.run(
            [sys.executable, __file__, "--cases", str(cases), "--json", *extra],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])
    return _run_here(cases, keep, database_url)


def _run_here(cases: int, keep: bool, database_url: str | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ow-bench-supervision-"))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["ONEWINDOW_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "onewindow.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As in production: DEBUG makes Django format and keep every query it runs.
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # The bench controls the clock; keep the daily full scan out of the way.
    settings.SUPERVISION_FULL_SCAN_HOURS = 48
    try:
        return _measure(cases)
    finally:
        if keep:
            print(f"database kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _measure(n_cases: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    counts = _build(n_cases, now)
    build_s = time.perf_counter() - t0
    analyze_s = None
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        analyze_s = round(time.perf_counter() - t0, 2)

    from onewindow.cases.models import Case
    from onewindow.supervision.models import Alert
    from onewindow.supervision.services.scan import scan

    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(
            "SELECT id, promised_due_date, legal_due_date FROM cases_case WHERE status IN ('accepted', 'suspended')"
        )
        open_rows = len(cur.fetchall())
        floor_s = time.perf_counter() - t0

    full = scan(now=now)
    rescan = scan(now=now + timedelta(seconds=5), full=True)

    # 500 cases change (the case services bump updated_at); 50 of them are refusals
    # without a reason, so the incremental scan has something to raise.
    later = now + timedelta(seconds=20)
    ids = list(
        Case.objects.filter(status="accepted").order_by("?").values_list("pk", flat=True)[:500]
    )
    Case.objects.filter(pk__in=ids).update(updated_at=later)
    Case.objects.filter(pk__in=ids[:50]).update(status="refused", refusal_reason="")
    incremental = scan(now=later + timedelta(seconds=1))

    local_midnight = timezone.localtime(now).replace(hour=0, minute=0, second=10) + timedelta(
        days=1
    )
    next_day = scan(now=local_midnight)

    figures = {
        "bench": "supervision_scan",
        "database": connection.vendor,
        "open_cases": open_rows,
        "history_cases": counts["history"],
        "migrate_s": round(migrate_s, 2),
        "build_s": round(build_s, 2),
        "analyze_before_scans_s": analyze_s,
        "floor_select_open_s": round(floor_s, 4),
        "full_scan_s": round(full.duration_ms / 1000, 3),
        "full_scan_sqlite_statistics_s": round(full.maintenance_ms / 1000, 3),
        "full_scan_raised": full.raised,
        "full_scan_by_rule": full.by_rule,
        "full_rescan_s": round(rescan.duration_ms / 1000, 3),
        "full_rescan_raised": rescan.raised,
        "incremental_s": round(incremental.duration_ms / 1000, 3),
        "incremental_mode": incremental.mode,
        "incremental_raised": incremental.raised,
        "incremental_next_day_s": round(next_day.duration_ms / 1000, 3),
        "incremental_next_day_mode": next_day.mode,
        "incremental_next_day_raised": next_day.raised,
        "alerts_total": Alert.objects.count(),
        "target_full_scan_s": TARGET_SECONDS,
        "full_scan_within_target": full.duration_ms / 1000 <= TARGET_SECONDS,
    }
    figures["full_scan_to_floor"] = round(figures["full_scan_s"] / max(floor_s, 1e-6), 1)
    return figures


def _build(n_cases: int, now: datetime) -> dict:
    """Organisation, items and cases written directly (bulk_create), like a busy year's open cases."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from onewindow.accounts.models import User
    from onewindow.cases.models import Case, CaseStep, CorrectionNotice, Extension, Suspension
    from onewindow.catalogue.models import Fee, ItemVersion, ServiceItem
    from onewindow.halls.models import Department, Hall
    from onewindow.workdays.services import get_calendar

    rng = random.Random(5)
    cal = get_calendar()
    today = timezone.localdate(now)

    centre = Hall.objects.create(code="ZX", name="行政服务中心", kind=Hall.Kind.CENTRE)
    depts, halls = [], []
    for i in range(8):
        dept = Department.objects.create(code=f"B{i}", name=f"部门{i}")
        depts.append(dept)
        halls.append(
            Hall.objects.create(code=f"F{i}", name=f"分中心{i}", parent=centre, department=dept)
        )
    password = make_password("bench-only-0000")
    staff = User.objects.bulk_create(
        [User(username=f"staff{i}", full_name=f"工作人员{i}", password=password) for i in range(80)]
    )
    versions, fee_of = [], {}
    for i in range(40):
        dept = depts[i % 8]
        item = ServiceItem.objects.create(
            implementation_code=f"BENCH-{i:03d}", catalogue_code=f"{i:012d}", department=dept
        )
        limit = rng.choice([5, 10, 15, 20])
        version = ItemVersion.objects.create(
            item=item,
            number=1,
            status=ItemVersion.Status.PUBLISHED,
            name=f"事项{i}",
            item_type="01",
            handling=ItemVersion.Handling.PROMISED,
            legal_limit_days=20,
            promised_limit_days=limit,
            legal_basis="《中华人民共和国行政许可法》",
        )
        version.halls.set([halls[i % 8]])
        if i % 3 == 0:
            amount = Decimal(rng.choice(["10.00", "20.00", "50.00", "80.00"]))
            Fee.objects.create(
                version=version, name="工本费", amount=amount, standard="按件", basis="价费文件"
            )
            fee_of[version.pk] = amount
        item.published_version = version
        item.save(update_fields=["published_version"])
        versions.append(version)

    def due(accepted_on, days):
        return cal.add_working_days(accepted_on, days).value

    number = 0
    made = 0
    while made < n_cases:
        size = min(10_000, n_cases - made)
        rows = []
        for _ in range(size):
            number += 1
            v = versions[rng.randrange(len(versions))]
            hall_i = versions.index(v) % 8
            # Where an open case stands today: most within their limit, some due soon,
            # a few late (and fewer past the legal limit).
            r = rng.random()
            if r < 0.03:
                promised = today - timedelta(days=rng.randint(1, 7))
            elif r < 0.08:
                promised = due(today, rng.randint(0, 1))
            else:
                promised = due(today, rng.randint(2, 25))
            legal = due(promised, rng.choice([0, 2, 5, 10]))
            accepted_on = promised - timedelta(days=v.promised_limit_days * 7 // 5)
            suspended = rng.random() < 0.05
            charged = None
            if v.pk in fee_of and rng.random() < 0.5:
                charged = fee_of[v.pk] if rng.random() > 0.01 else fee_of[v.pk] + 5
            received = timezone.make_aware(
                datetime.combine(accepted_on, datetime.min.time())
            ) + timedelta(hours=9)
            rows.append(
                Case(
                    number=f"F{hall_i}{number:010d}",
                    hall_id=halls[hall_i].pk,
                    department_id=depts[hall_i].pk,
                    item_id=v.item_id,
                    item_version_id=v.pk,
                    applicant_kind="person",
                    applicant_name="张三",
                    applicant_id_number="11010519491231002X",
                    contact_phone="13800138000",
                    status="suspended" if suspended else "accepted",
                    received_at=received,
                    accepted_at=received + timedelta(minutes=20),
                    accepted_on=accepted_on,
                    legal_limit_days=v.legal_limit_days,
                    promised_limit_days=v.promised_limit_days,
                    promised_due_date=promised,
                    legal_due_date=legal,
                    suspended_since=accepted_on if suspended else None,
                    current_assignee_id=staff[rng.randrange(80)].pk,
                    received_by_id=staff[rng.randrange(80)].pk,
                    fee_charged=charged,
                    updated_at=now - timedelta(hours=1),
                )
            )
        created = Case.objects.bulk_create(rows, batch_size=2000)
        made += size
        steps, notices, suspensions, extensions = [], [], [], []
        for c in created:
            steps.append(
                CaseStep(
                    case_id=c.pk,
                    position=1,
                    name="承办",
                    role="handler",
                    assignee_id=c.current_assignee_id,
                    started_at=c.accepted_at,
                    due_date=c.promised_due_date - timedelta(days=rng.randint(0, 6)),
                )
            )
            if rng.random() < 0.10:
                late = rng.random() < 0.02
                notices.append(
                    CorrectionNotice(
                        case_id=c.pk,
                        round=1,
                        items=["身份证复印件"],
                        issued_at=c.received_at + timedelta(days=9 if late else 1),
                        issued_by_id=c.received_by_id,
                    )
                )
            if c.status == "suspended":
                suspensions.append(
                    Suspension(
                        case_id=c.pk,
                        kind="expert_review",
                        reason="专家评审",
                        max_days=rng.choice([5, 10, 20, 30]),
                        started_on=c.accepted_on,
                        started_by_id=c.current_assignee_id,
                    )
                )
            if rng.random() < 0.02:
                extensions.append(
                    Extension(
                        case_id=c.pk,
                        days=10,
                        reason="情况复杂",
                        requested_by_id=c.current_assignee_id,
                        approver_id=None if rng.random() < 0.05 else staff[0].pk,
                    )
                )
        CaseStep.objects.bulk_create(steps, batch_size=2000)
        CorrectionNotice.objects.bulk_create(notices, batch_size=2000)
        Suspension.objects.bulk_create(suspensions, batch_size=2000)
        Extension.objects.bulk_create(extensions, batch_size=2000)

    # Every open case waits in its first step (the clock rules fall back to its assignee).
    from django.db.models import OuterRef, Subquery

    Case.objects.filter(status__in=("accepted", "suspended")).update(
        current_step=Subquery(CaseStep.objects.filter(case_id=OuterRef("pk")).values("pk")[:1])
    )

    # bulk_create stamps updated_at with the wall clock; the scans below see these cases
    # as written an hour before the first scan.
    Case.objects.update(updated_at=now - timedelta(hours=1))

    # A little history: concluded and refused cases (the irregular-act rules read those).
    history = []
    for i in range(n_cases // 10):
        v = versions[rng.randrange(len(versions))]
        hall_i = versions.index(v) % 8
        day = today - timedelta(days=rng.randrange(30, 300))
        received = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
            hours=10
        )
        refused = rng.random() < 0.05
        history.append(
            Case(
                number=f"H{hall_i}{i:010d}",
                hall_id=halls[hall_i].pk,
                department_id=depts[hall_i].pk,
                item_id=v.item_id,
                item_version_id=v.pk,
                applicant_kind="person",
                applicant_name="李四",
                applicant_id_number="11010519491231002X",
                contact_phone="13800138000",
                status="refused" if refused else "concluded",
                refusal_reason=""
                if refused and rng.random() < 0.02
                else ("不符合条件" if refused else ""),
                received_at=received,
                accepted_at=None if refused else received,
                accepted_on=None if refused else day,
                concluded_at=None if refused else received + timedelta(days=5),
                received_by_id=staff[rng.randrange(80)].pk,
                updated_at=now - timedelta(days=1),
            )
        )
    Case.objects.bulk_create(history, batch_size=2000)
    Case.objects.filter(number__startswith="H").update(updated_at=now - timedelta(days=1))
    return {"history": len(history)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--json", action="store_true", help="print only the figures as one JSON line"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--database-url", default=None, help="an empty database to use instead of SQLite"
    )
    args = parser.parse_args(argv)
    figures = _run_here(args.cases, args.keep, args.database_url)
    if args.json:
        print(json.dumps(figures))
        return 0
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    verdict = "within" if figures["full_scan_within_target"] else "OVER"
    print(
        f"\nfull scan of {figures['open_cases']} open cases: {figures['full_scan_s']} s ({verdict} the {TARGET_SECONDS} s target)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
