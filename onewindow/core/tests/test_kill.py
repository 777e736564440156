"""Killed with SIGKILL: `onewindow simulate`, `onewindow catalogue import` and the worker,
each run as its own process on a database of its own (a file on SQLite; a database of the
throw-away server when the suite runs on PostgreSQL), are killed part-way. What they leave
must be consistent, and running them again must succeed without losing or doubling a row.

The database is seeded once per module (`migrate`, then the demo's organisation and
catalogue without simulated cases) and copied for each test.
"""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .subprocesses import (
    ON_POSTGRES,
    ROOT,
    copy_database,
    create_database,
    drop_databases,
    environment,
    onewindow,
)

pytestmark = pytest.mark.slow

SCAN_JOB = "onewindow.supervision.jobs.scan_alerts"


def spawn(url: str, var: Path, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "onewindow.manage", *args],
        env=environment(url, var),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the command, then whatever it started (simulate's generator process)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def django(url: str, var: Path, script: str):
    """Run ``script`` in `onewindow shell` on that database; it prints one JSON value."""
    out = onewindow(url, var, "shell", "-c", script).stdout
    return json.loads(out.strip().splitlines()[-1])


def connect(url: str):
    if ON_POSTGRES:
        import psycopg

        return psycopg.connect(url, autocommit=True)
    return sqlite3.connect(urlsplit(url).path, timeout=0, isolation_level=None)


def sql(url: str, query: str, params=()):
    conn = connect(url)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def writing(url: str) -> bool:
    """Whether another connection has a write transaction open on the database."""
    if ON_POSTGRES:
        name = urlsplit(url).path.lstrip("/")
        return bool(
            sql(
                url,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                [name],
            )[0][0]
        )
    conn = connect(url)
    try:
        conn.execute("BEGIN IMMEDIATE")  # SQLite has one writer: this fails while it writes
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def scan_started(url: str) -> bool:
    """Whether the worker has begun the scan job and not yet finished it."""
    mark = "%s" if ON_POSTGRES else "?"
    query = (
        "SELECT count(*) FROM core_jobrun WHERE name = "
        f"{mark} AND last_started_at IS NOT NULL AND runs = 0"
    )
    return bool(sql(url, query, [SCAN_JOB])[0][0])


@contextlib.contextmanager
def scan_held(url: str):
    """Yields a condition that is true while the worker is in the middle of its scan.

    On PostgreSQL the test holds the audit chain's head row, which the scan locks to
    record the alerts it raised: the scan waits there, its alerts written but not
    committed, until it is killed. SQLite has no row locks: the condition takes the
    write lock itself once the scan has begun, and is true when it gets it (the scan
    stops at its next write) or cannot (the scan is writing now); a scan that begins and
    ends between two looks is not caught, so the looks are 20 ms apart.
    """
    if ON_POSTGRES:
        import psycopg

        holder = psycopg.connect(url)
        holder.execute("SELECT last_seq FROM audit_audithead FOR UPDATE")
        name = urlsplit(url).path.lstrip("/")
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        )
        try:
            yield lambda: scan_started(url) and bool(sql(url, waiting, [name])[0][0])
        finally:
            holder.rollback()
            holder.close()
        return
    holder = connect(url)

    def caught() -> bool:
        if not scan_started(url):
            return False
        try:
            holder.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True  # the scan holds the write lock: it is writing its alerts
        assert scan_started(url), "the scan ended uncaught"  # read under the lock held
        return True

    try:
        yield caught
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def wait_until(
    condition, proc: subprocess.Popen, seconds: float = 120, every: float = 0.05
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"ended before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """A migrated database with the demo organisation and catalogue; yields a function that
    makes a copy of it and returns the copy's URL."""
    base = tmp_path_factory.mktemp("kill")
    var = base / "var"
    created = []
    if ON_POSTGRES:

        def create(template=None):
            name = f"kill_{uuid.uuid4().hex[:10]}"
            created.append(name)
            return create_database(name, template)

        seed_url = create()
        seed_name = created[0]
        onewindow(seed_url, var, "migrate", "-v0")
        onewindow(seed_url, var, "load_demo", "--simulate-cases", "0")

        def copy():
            return create(seed_name)

    else:
        seed_file = base / "seed.sqlite3"
        onewindow(f"sqlite:///{seed_file}", var, "migrate", "-v0")
        onewindow(f"sqlite:///{seed_file}", var, "load_demo", "--simulate-cases", "0")

        def copy():
            target = base / f"{uuid.uuid4().hex[:10]}.sqlite3"
            source = sqlite3.connect(seed_file)
            dest = sqlite3.connect(target)
            source.backup(dest)
            source.close()
            dest.close()
            return f"sqlite:///{target}"

    yield copy, var
    if ON_POSTGRES:
        drop_databases(created)
    shutil.rmtree(base, ignore_errors=True)


# What a simulation left: every case with its events numbered 1..n, every current step
# one of the case's own, every case number within its hall's counter of the day, and the
# id sequences (PostgreSQL's sequences, SQLite's sqlite_sequence) past the ids in use.
SIMULATION_STATE = """
import json
from django.db import connection
from django.db.models import Count, Max, F
from onewindow.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStep
counters = {(c.hall_id, c.day.strftime("%Y%m%d")): c.last for c in CaseNumberCounter.objects.all()}
uncovered = [
    number for hall_id, number in Case.objects.values_list("hall_id", "number")
    if counters.get((hall_id, number[-12:-4]), 0) < int(number[-4:])
]
gaps = (
    Case.objects.annotate(n=Count("events"), top=Max("events__seq")).exclude(n=F("top")).count()
    + Case.objects.filter(events__isnull=True).count()
)
foreign_step = Case.objects.filter(current_step__isnull=False).exclude(current_step__case=F("pk")).count()
behind = []
with connection.cursor() as cursor:
    for model in (Case, CaseStep, CaseEvent):
        table = model._meta.db_table
        top = model.objects.aggregate(m=Max("pk"))["m"] or 0
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
            cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
            last, called = cursor.fetchone()
            next_id = last + 1 if called else last
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            next_id = (row[0] if row else 0) + 1
        if next_id <= top:
            behind.append(table)
numbers = list(Case.objects.values_list("number", flat=True))
print(json.dumps({
    "cases": len(numbers), "unique": len(set(numbers)), "uncovered": uncovered[:5],
    "gaps": gaps, "foreign_step": foreign_step, "behind": behind,
    "steps": CaseStep.objects.count(), "events": CaseEvent.objects.count(),
}))
"""


def test_a_killed_simulation_leaves_a_consistent_database_and_runs_again(seed):
    copy, var = seed
    url = copy()
    args = ("simulate", "--year", "2025", "--seed", "3", "--no-progress")
    proc = spawn(url, var, *args, "--cases", "20000", "--batch", "400")
    try:
        # At least two batches committed, and the run goes on: killed between or in a batch.
        wait_until(lambda: sql(url, "SELECT count(*) FROM cases_case")[0][0] >= 800, proc)
    finally:
        kill(proc)
    state = django(url, var, SIMULATION_STATE)
    assert 800 <= state["cases"] < 20000, state
    assert state["unique"] == state["cases"] and state["uncovered"] == [], state
    assert state["gaps"] == 0 and state["foreign_step"] == 0 and state["behind"] == [], state

    onewindow(url, var, *args, "--cases", "1500", "--batch", "500")
    again = django(url, var, SIMULATION_STATE)
    assert again["cases"] == state["cases"] + 1500, again
    assert again["unique"] == again["cases"] and again["uncovered"] == [], again
    assert again["gaps"] == 0 and again["foreign_step"] == 0 and again["behind"] == [], again


CATALOGUE_STATE = """
import json
from onewindow.audit.models import AuditEntry
from onewindow.catalogue.models import ItemVersion, Material, ServiceItem, Step
print(json.dumps({
    "items": ServiceItem.objects.count(), "versions": ItemVersion.objects.count(),
    "materials": Material.objects.count(), "steps": Step.objects.count(),
    "audit": AuditEntry.objects.count(),
}))
"""


def changed_workbook(source: Path, target: Path, rows: int) -> int:
    """The exported workbook with a new consultation phone on ``rows`` published items."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    sheet = book["事项"]
    header = [cell.value for cell in sheet[1]]
    phone, status = header.index("咨询电话") + 1, header.index("版本状态（仅供查看）") + 1
    changed = 0
    for row in range(2, sheet.max_row + 1):
        if changed < rows and sheet.cell(row, status).value == "已发布":
            sheet.cell(row, phone).value = "0512-99999999"
            changed += 1
    book.save(target)
    return changed


def test_a_killed_catalogue_import_leaves_nothing_and_runs_again(seed, tmp_path):
    copy, var = seed
    url = copy()
    exported, workbook = tmp_path / "catalogue.xlsx", tmp_path / "changed.xlsx"
    onewindow(url, var, "catalogue", "export", str(exported))
    changed = changed_workbook(exported, workbook, 150)
    before = django(url, var, CATALOGUE_STATE)

    proc = spawn(url, var, "catalogue", "import", str(workbook))
    try:
        # The import writes every row in one transaction: kill it while that is open.
        wait_until(lambda: writing(url), proc)
        time.sleep(0.5)  # some versions written
        assert proc.poll() is None, "the import ended before it could be killed"
    finally:
        kill(proc)
    assert django(url, var, CATALOGUE_STATE) == before  # all or nothing: nothing
    assert onewindow(url, var, "audit", "verify").returncode == 0

    out = onewindow(url, var, "catalogue", "import", str(workbook)).stdout
    assert f"{changed} changed" in out
    after = django(url, var, CATALOGUE_STATE)
    assert after["versions"] == before["versions"] + changed
    assert after["audit"] > before["audit"]
    assert onewindow(url, var, "audit", "verify").returncode == 0


ALERTS = """
import json
from django.db.models import Count
from onewindow.supervision.models import Alert, AlertEvent
raised = dict(
    AlertEvent.objects.filter(kind=AlertEvent.Kind.RAISED)
    .values_list("alert__breach_key").annotate(n=Count("id"))
)
print(json.dumps({"keys": sorted(Alert.objects.values_list("breach_key", flat=True)), "raised": raised}))
"""

# The restarted worker finds the lease of the killed one, which expires 30 seconds after
# its last renewal, and the scan started 15 seconds ago at most; the test moves both back
# rather than wait.
AGE_LEASE = f"""
import json
from datetime import timedelta
from django.utils import timezone
from onewindow.core.models import JobRun, WorkerLease
past = timezone.now() - timedelta(minutes=1)
WorkerLease.objects.update(expires_at=past)
JobRun.objects.filter(name="{SCAN_JOB}").update(last_started_at=past)
print(json.dumps(WorkerLease.objects.exclude(owner="").count()))
"""


def test_a_worker_killed_mid_scan_and_restarted_raises_every_alert_once(seed):
    copy, var = seed
    url = copy()
    onewindow(url, var, "simulate", "--year", "2025", "--cases", "4000", "--no-progress")
    control = copy_database(url, copy())  # what the worker's database holds now
    onewindow(control, var, "supervision_scan", "--full")
    expected = django(control, var, ALERTS)
    assert len(expected["keys"]) > 10, expected  # the year left open cases that are overdue

    with scan_held(url) as mid_scan:
        proc = spawn(url, var, "worker", "--tick", "0.1")
        try:
            wait_until(mid_scan, proc, every=0.02)
        finally:
            kill(proc)
    assert django(url, var, AGE_LEASE) == 1  # the dead worker's lease is still there

    onewindow(url, var, "worker", "--once")
    got = django(url, var, ALERTS)
    assert got["keys"] == expected["keys"]
    assert set(got["raised"].values()) == {1}
    assert onewindow(url, var, "audit", "verify").returncode == 0
    # And a second pass raises nothing more.
    onewindow(url, var, "supervision_scan")
    assert django(url, var, ALERTS) == got
