"""`make bench`: the speed of the backbone, each figure beside its floor measured in the same
run on the same machine (issue 4, item 11).

    .venv/bin/python bench/run.py [--quick] [--only simulate intake status list supervision]

1. simulate: `onewindow simulate --year 2025 --cases 910000` into a fresh SQLite database
   (organisation and catalogue loaded), wall time and peak memory (ru_maxrss) of the
   process; floor: the identical rows inserted with bare sqlite3 executemany into the same
   schema (bench/sim_floor.py). Target: at most 2x the floor, under 1.5 GB.
2. intake: window intake through the API (create + accept), 50 concurrent clients on
   loopback against `onewindow serve` (granian and the worker) on the demo database.
   Targets: at least 200 cases/s, 95th percentile under 150 ms.
3. status: the public status page (number + query code), requests/s against a constant
   Django view (/healthz) on the same server. Targets: at least 40 %, p95 under 50 ms.

   Throughput is measured closed loop (each client sends its next request as soon as the
   last one is answered: the server's capacity). A 95th percentile measured that way only
   restates Little's law (50 clients / throughput: even /healthz shows ~170 ms), so the
   latency targets are measured paced: the same 50 clients together offering exactly the
   target rate (200 cases/s; 40 % of the constant view's req/s), timed from when each
   request was due (bench/load.py), beside /healthz paced at the same rate.
4. list: the staff case list (50 rows) rendered in-process, median server time; floor: the
   constant view through the same test client. Target: under 100 ms.
5. supervision: bench/supervision_scan.py, when it exists.

`--quick` simulates 100,000 cases and shortens the load runs. Prints the table and writes it
as JSON to bench/results/latest.json and a timestamped copy. The machine is shared with
whatever else runs on it: the load average is recorded with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ONEWINDOW = str(BIN / "onewindow")
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import Result, run_load  # noqa: E402

from onewindow.lib.idnumbers import resident_id_check_char  # noqa: E402  (plain module, no Django)

BENCHES = ("simulate", "intake", "status", "list", "supervision")


# ------------------------------------------------------------------------ plumbing


# Alternating rounds of the constant view and the status lookups (see bench_server).
ROUNDS = 3


def merged(results: list) -> dict:
    """One summary of several load runs of the same scenario."""
    total = Result()
    for r in results:
        total.requests += r.requests
        total.units += r.units
        total.errors += r.errors
        total.seconds += r.seconds
        total.latencies += r.latencies
        total.unit_latencies += r.unit_latencies
        for status, n in r.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + n
        total.first_error = total.first_error or r.first_error
    return total.summary()


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def environment(db: Path, work: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        ONEWINDOW_VAR_DIR=str(work / "var"),
        DEBUG="0",  # production-like: no query log, no debug pages
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kw)


def timed_child(cmd: list[str], env: dict) -> tuple[float, int, str, str]:
    """Run a child; (wall seconds, peak RSS in bytes of it and its children, stdout, stderr)."""
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss * 1024, stdout, stderr


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def row(name, value, unit, floor=None, floor_label="", target="", ok=None, ratio=None, note=""):
    if ratio is None and floor:
        ratio = value / floor if floor else None
    return {
        "bench": name,
        "value": value,
        "unit": unit,
        "floor": floor,
        "floor_label": floor_label,
        "ratio": ratio,
        "target": target,
        "ok": ok,
        "note": note,
    }


# ------------------------------------------------------------------------ databases


def base_database(work: Path) -> Path:
    """Migrated, with the demo organisation and catalogue, no cases."""
    db = work / "base.sqlite3"
    env = environment(db, work)
    log("base database: migrate, demo organisation and catalogue")
    run([ONEWINDOW, "migrate", "--noinput", "-v0"], env)
    run([ONEWINDOW, "load_demo", "--simulate-cases", "0"], env)
    return db


def copy_database(src: Path, dst: Path) -> Path:
    """A copy of the database, written through to the disk before it is used: a fresh
    copy of a few hundred MB is otherwise still being written back while the load runs
    measure, and reads stall behind that writeback (public status p95 ~170 ms where the
    same run on a settled file gives ~15 ms)."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", f"{dst}{suffix}")
            with open(f"{dst}{suffix}", "rb") as f:
                os.fsync(f.fileno())
    return dst


def drop_database(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def fingerprint(db: Path) -> dict:
    """Counts and sums that differ if any row differs in a way that matters."""
    con = sqlite3.connect(db)
    q = {
        "cases": "SELECT count(*), max(id), sum(length(number)), sum(version), sum(length(status)), max(received_at) FROM cases_case",
        "events": "SELECT count(*), sum(seq), sum(length(data)), max(at), sum(coalesce(actor_id, 0)) FROM cases_caseevent",
        "steps": "SELECT count(*), max(id), sum(length(due_date)) FROM cases_casestep",
        "materials": "SELECT count(*), sum(provided) FROM cases_casematerial",
    }
    out = {k: list(con.execute(sql).fetchone()) for k, sql in q.items()}
    con.close()
    return out


# ------------------------------------------------------------------------ 1. simulate


def bench_simulate(work: Path, base: Path, cases: int, results: list, details: dict) -> None:
    year, seed = 2025, 1
    sim = copy_database(base, work / "simulate.sqlite3")
    env = environment(sim, work)
    log(f"simulate: {cases:,} cases into a fresh database (onewindow simulate)")
    cmd = [
        ONEWINDOW,
        "simulate",
        "--year",
        str(year),
        "--cases",
        str(cases),
        "--seed",
        str(seed),
        "--no-progress",
    ]
    wall, peak, stdout, _stderr = timed_child(cmd, env)
    sim_print = fingerprint(sim)
    size = sim.stat().st_size
    drop_database(sim)
    floor_db = copy_database(base, work / "floor.sqlite3")
    log("simulate floor: the same rows with bare sqlite3 executemany")
    _w, floor_peak, out, _e = timed_child(
        [
            sys.executable,
            str(ROOT / "bench" / "sim_floor.py"),
            "--year",
            str(year),
            "--cases",
            str(cases),
            "--seed",
            str(seed),
        ],
        environment(floor_db, work),
    )
    floor = last_json(out)
    identical = fingerprint(floor_db) == sim_print
    drop_database(floor_db)
    rows = floor["rows"]
    details["simulate"] = {
        "command": " ".join(cmd[1:]),
        "output": stdout.strip(),
        "wall_seconds": wall,
        "peak_rss_bytes": peak,
        "database_bytes": size,
        "floor": floor,
        "floor_peak_rss_bytes": floor_peak,
        "rows_identical": identical,
        "fingerprint": sim_print,
    }
    ratio = wall / floor["insert_seconds"]
    results.append(
        row(
            f"simulate {cases:,} cases ({rows:,} rows, {floor['events']:,} events)",
            round(wall, 1),
            "s",
            round(floor["insert_seconds"], 1),
            "sqlite3 executemany of the same rows",
            "<= 2.0x floor",
            ratio <= 2.0 and identical,
            ratio=round(ratio, 2),
            note="" if identical else "ROWS DIFFER from the floor's",
        )
    )
    results.append(
        row(
            "simulate peak memory (ru_maxrss)",
            round(peak / 2**20),
            "MB",
            round(floor_peak / 2**20),
            "floor process",
            "< 1536 MB",
            peak < 1.5 * 2**30,
        )
    )


# ------------------------------------------------------------------------ 2-3. server


class Server:
    """`onewindow serve` on a free port, in its own process group; stopped by its pid."""

    def __init__(self, db: Path, work: Path):
        self.port = free_port()
        self.env = environment(db, work)
        self.log = open(work / "serve.log", "w")
        self.proc = subprocess.Popen(
            [ONEWINDOW, "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=2
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the server did not start; see {work / 'serve.log'}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve stops granian and the worker
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this script started
                self.proc.wait()
        self.log.close()


def intake_fixtures(db: Path, env: dict) -> list[dict]:
    """Per clerk: a token, the hall, window numbers and items with their required materials."""
    con = sqlite3.connect(db)
    clerks = con.execute(
        """SELECT u.username, h.code, h.id FROM accounts_user u
           JOIN accounts_user_halls uh ON uh.user_id = u.id JOIN halls_hall h ON h.id = uh.hall_id
           JOIN accounts_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id
           WHERE g.name = 'window_clerk' AND u.is_active ORDER BY u.username"""
    ).fetchall()
    out = []
    for username, hall_code, hall_id in clerks:
        items = con.execute(
            """SELECT i.implementation_code, v.id FROM catalogue_serviceitem i
               JOIN catalogue_itemversion v ON v.id = i.published_version_id
               JOIN catalogue_itemversion_halls vh ON vh.itemversion_id = v.id
               WHERE vh.hall_id = ? ORDER BY i.implementation_code""",
            (hall_id,),
        ).fetchall()
        if not items:
            continue
        offers = []
        for code, version_id in items:
            required = [
                r[0]
                for r in con.execute(
                    "SELECT id FROM catalogue_material WHERE version_id = ? AND required",
                    (version_id,),
                )
            ]
            offers.append({"item": code, "materials": required})
        windows = [
            r[0]
            for r in con.execute(
                "SELECT number FROM halls_window WHERE hall_id = ? AND is_active", (hall_id,)
            )
        ]
        out.append({"user": username, "hall": hall_code, "offers": offers, "windows": windows})
    con.close()
    # One token per clerk, issued the way `onewindow token create` does, in one process.
    code = (
        "import django,json,os,sys;os.environ.setdefault('DJANGO_SETTINGS_MODULE','onewindow.settings');"
        "django.setup();from onewindow.accounts.models import User;"
        "from onewindow.accounts.services import create_api_token;"
        "print(json.dumps({u: create_api_token(actor=None, user=User.objects.get(username=u), label='bench') "
        "for u in sys.argv[1:]}))"
    )
    tokens = last_json(run([sys.executable, "-c", code, *(f["user"] for f in out)], env).stdout)
    for f in out:
        f["token"] = tokens[f["user"]]
    return out


def resident_id(rng: random.Random) -> str:
    first17 = f"320582{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def bench_server(work: Path, demo: Path, args, results: list, details: dict) -> None:
    env = environment(demo, work)
    fixtures = intake_fixtures(demo, env) if "intake" in args.only else []
    con = sqlite3.connect(demo)
    lookups = con.execute(
        "SELECT number, query_code FROM cases_case ORDER BY random() LIMIT 20000"
    ).fetchall()
    con.close()
    # What the earlier steps wrote (the simulated year, load_demo, the copies) goes to the
    # disk first: writeback running under the load runs stalls their reads.
    t0 = time.perf_counter()
    os.sync()
    log(f"disk settled (sync: {time.perf_counter() - t0:.1f} s)")
    log(
        f"server: onewindow serve on the demo database ({len(lookups):,} cases sampled for status lookups)"
    )
    server = Server(demo, work)

    def load(scenario, *, headers_for=lambda i: {}, seconds=None, max_units=10**9, rate=None):
        """One run of ``args.clients`` clients against the server: its summary."""
        return run_load(
            host="127.0.0.1",
            port=server.port,
            clients=args.clients,
            scenario=scenario,
            headers_for=headers_for,
            seconds=seconds or args.seconds,
            max_units=max_units,
            rate=rate,
        ).summary()

    def alternating(first, second):
        """Closed-loop runs of ``first`` and ``second`` in ROUNDS alternating rounds that
        together last ``args.seconds`` each: (summary of all of first, of all of second,
        the ratio second/first of each round)."""
        runs: dict = {first: [], second: []}
        for n_round in range(ROUNDS):
            for scenario in (first, second):
                runs[scenario].append(
                    run_load(
                        host="127.0.0.1",
                        port=server.port,
                        clients=args.clients,
                        # Each round its own requests (other cases to look up).
                        scenario=lambda c, i, n, s=scenario, r=n_round: s(c, i, n + r * 10**6),
                        headers_for=lambda i: {},
                        seconds=args.seconds / ROUNDS,
                        max_units=10**9,
                    )
                )
        shares = [
            round(b.requests / b.seconds / (a.requests / a.seconds), 3)
            for a, b in zip(runs[first], runs[second], strict=True)
        ]
        return merged(runs[first]), merged(runs[second]), shares

    def healthz(c, i, n):
        c.request("GET", "/healthz")

    def status_of(sample: int):
        """Status lookups of the first ``sample`` cases drawn, spread over the clients."""

        def status(c, i, n):
            number, code = lookups[(i * 7919 + n * 104729) % sample]
            c.request("GET", f"/status/{number}/?code={code}")

        return status

    try:
        status = status_of(len(lookups))
        if "status" in args.only:
            # The constant view and the lookups in alternating rounds: on a shared machine
            # whose speed drifts over a minute, one run of each measured minutes apart can
            # bend their ratio by a third either way; alternating bends both alike.
            log(
                f"constant view and status lookups: {args.clients} clients, {ROUNDS} alternating"
                f" rounds of {args.seconds / ROUNDS:.0f} s each, closed loop"
            )
            constant, st, shares = alternating(healthz, status)
            details["constant_view"] = constant
            details["status_lookup"] = st
            details["status_share_per_round"] = shares
            share = st["requests_per_s"] / constant["requests_per_s"]
        else:
            log(f"constant view: {args.clients} clients, {args.seconds:.0f} s")
            constant = load(healthz)
            details["constant_view"] = constant
        if "status" in args.only:
            results.append(
                row(
                    "public status lookup (closed loop: capacity)",
                    round(st["requests_per_s"]),
                    "req/s",
                    round(constant["requests_per_s"]),
                    "constant Django view (/healthz), same server",
                    ">= 40 % of floor",
                    share >= 0.40 and not st["errors"],
                    ratio=round(share, 2),
                    note=f"{st['errors']} errors" if st["errors"] else "",
                )
            )
            log("status lookups of 500 cases over and over (answers cached), closed loop")
            again = load(status_of(500))
            details["status_lookup_repeated"] = again
            results.append(
                row(
                    "public status lookup, 500 cases looked up again and again (information)",
                    round(again["requests_per_s"]),
                    "req/s",
                    round(constant["requests_per_s"]),
                    "constant Django view (/healthz), same server",
                    "(none: the target is on distinct cases above)",
                    None,
                    ratio=round(again["requests_per_s"] / constant["requests_per_s"], 2),
                )
            )
            target_rate = 0.40 * constant["requests_per_s"]
            log(f"status lookups paced at {target_rate:.0f} req/s (40 % of the constant view)")
            # Cases not looked up in the rounds above (their answers are not cached yet).
            paced = load(lambda c, i, n: status(c, i, n + ROUNDS * 10**6), rate=target_rate)
            details["status_lookup_paced"] = paced
            const_paced = load(healthz, rate=target_rate)
            details["constant_view_paced_status_rate"] = const_paced
            results.append(
                row(
                    f"public status lookup p95 at {target_rate:.0f} req/s",
                    round(paced["p95_ms"], 1),
                    "ms",
                    round(const_paced["p95_ms"], 1),
                    "constant view p95 at the same rate",
                    "< 50 ms",
                    paced["p95_ms"] < 50 and not paced["errors"],
                    note=f"served {paced['requests_per_s']:.0f} req/s"
                    + (f", {paced['errors']} errors" if paced["errors"] else ""),
                )
            )
        if "intake" in args.only and fixtures:
            log(
                f"intake: create + accept through the API, {args.clients} clients, up to {args.seconds * 2:.0f} s"
            )

            def intake(c, i, n):
                f = fixtures[i % len(fixtures)]
                rng = random.Random(i * 1_000_003 + n)
                offer = f["offers"][rng.randrange(len(f["offers"]))]
                body = {
                    "hall": f["hall"],
                    "item": offer["item"],
                    "applicant_kind": "person",
                    "applicant_name": "测试申请人",
                    "applicant_id_number": resident_id(rng),
                    "contact_phone": f"139{rng.randrange(10**8):08d}",
                    "provided_material_ids": offer["materials"],
                }
                if f["windows"]:
                    body["window"] = f["windows"][i % len(f["windows"])]
                _s, case = c.request("POST", "/api/v1/cases", body, expect=(201,))
                c.request(
                    "POST",
                    f"/api/v1/cases/{case['number']}/accept",
                    {"version": case["version"]},
                    expect=(200,),
                )

            tokens = [f["token"] for f in fixtures]

            def headers_for(i):
                return {
                    "Authorization": f"Bearer {tokens[i % len(tokens)]}",
                    "Accept-Language": "en",
                }

            it = load(
                intake,
                headers_for=headers_for,
                seconds=args.seconds * 2,
                max_units=args.max_cases,
            )
            details["intake"] = it
            ceiling = constant["requests_per_s"] / 2
            results.append(
                row(
                    f"window intake via API (create + accept), {args.clients} clients, closed loop",
                    round(it["units_per_s"], 1),
                    "cases/s",
                    round(ceiling, 1),
                    "constant view req/s / 2 (the server's ceiling)",
                    ">= 200 cases/s",
                    it["units_per_s"] >= 200 and not it["errors"],
                    note=f"{it['errors']} errors: {it['first_error'][:120]}"
                    if it["errors"]
                    else "",
                )
            )
            log(f"intake paced at 200 cases/s, {args.clients} clients, {args.seconds:.0f} s")
            ip = load(
                lambda c, i, n: intake(c, i, n + 1_000_000), headers_for=headers_for, rate=200.0
            )
            details["intake_paced"] = ip
            const_paced = load(healthz, rate=400.0)
            details["constant_view_paced_intake_rate"] = const_paced
            results.append(
                row(
                    "window intake request p95 at 200 cases/s (400 req/s)",
                    round(ip["p95_ms"], 1),
                    "ms",
                    round(const_paced["p95_ms"], 1),
                    "constant view p95 at 400 req/s",
                    "< 150 ms",
                    ip["p95_ms"] < 150 and not ip["errors"],
                    note=f"served {ip['units_per_s']:.0f} cases/s; per case (2 requests) p95 {ip['unit_p95_ms']:.0f} ms"
                    + (f"; {ip['errors']} errors" if ip["errors"] else ""),
                )
            )
    finally:
        server.stop()


# ------------------------------------------------------------------------ 4. list page


def bench_list(work: Path, demo: Path, results: list, details: dict) -> None:
    log("staff case list: in-process, median of 30")
    env = environment(demo, work)
    figures = {}
    for user in ("cg_clerk", "admin"):
        _w, _p, out, _e = timed_child(
            [sys.executable, str(ROOT / "bench" / "list_page.py"), "--user", user], env
        )
        figures[user] = last_json(out)
    floor = _constant_in_process(env)
    details["list_page"] = {**figures, "constant_view_in_process": floor}
    for user, f in figures.items():
        results.append(
            row(
                f"staff case list, {f['rows']} rows ({user}), {f['queries']} queries",
                round(f["median_ms"], 1),
                "ms",
                round(floor["median_ms"], 2),
                "constant view, same test client",
                "< 100 ms",
                f["median_ms"] < 100,
            )
        )


def _constant_in_process(env: dict) -> dict:
    code = (
        "import django,json,os,statistics,sys,time;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','onewindow.settings');django.setup();"
        "from django.test import Client;from django.test.utils import setup_test_environment;"
        "setup_test_environment();c=Client();[c.get('/healthz') for _ in range(5)];t=[]\n"
        "for _ in range(200):\n s=time.perf_counter();c.get('/healthz');t.append(time.perf_counter()-s)\n"
        "print(json.dumps({'median_ms':statistics.median(t)*1000}))"
    )
    return last_json(run([sys.executable, "-c", code], env).stdout)


# ------------------------------------------------------------------------ 5. supervision


def bench_supervision(work: Path, args, results: list, details: dict) -> None:
    script = ROOT / "bench" / "supervision_scan.py"
    if not script.exists():
        return
    log("supervision scan (bench/supervision_scan.py)")
    cmd = [sys.executable, str(script), "--json"] + (["--cases", "20000"] if args.quick else [])
    try:
        figures = last_json(run(cmd, environment(work / "unused.sqlite3", work)).stdout)
    except (subprocess.CalledProcessError, ValueError) as exc:
        details["supervision"] = {"error": str(exc)[-2000:]}
        results.append(row("supervision full scan", None, "s", note="failed: see details"))
        return
    details["supervision"] = figures
    results.append(
        row(
            f"supervision full scan, {figures.get('open_cases', '?'):,} open cases",
            figures.get("full_scan_s"),
            "s",
            figures.get("floor_select_open_s"),
            "one SQL pass over the open cases",
            f"<= {figures.get('target_full_scan_s', 2.0)} s",
            figures.get("full_scan_within_target"),
        )
    )


# ------------------------------------------------------------------------ report


def table(results: list) -> str:
    head = ("benchmark", "value", "floor", "ratio", "target", "ok")
    lines = []
    for r in results:
        value = "—" if r["value"] is None else f"{r['value']:,} {r['unit']}"
        floor = "" if r["floor"] is None else f"{r['floor']:,} {r['unit']}  ({r['floor_label']})"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        ok = {True: "yes", False: "NO", None: ""}[r["ok"]]
        lines.append(
            (
                r["bench"] + (f"  [{r['note']}]" if r["note"] else ""),
                value,
                floor,
                ratio,
                r["target"],
                ok,
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="OneWindow benchmarks (see the module docstring).")
    parser.add_argument(
        "--quick", action="store_true", help="100,000 simulated cases, shorter load runs"
    )
    parser.add_argument(
        "--cases", type=int, default=None, help="simulated cases (default 910,000; --quick 100,000)"
    )
    parser.add_argument("--only", nargs="+", choices=BENCHES, default=list(BENCHES))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=None, help="length of each load run")
    parser.add_argument(
        "--max-cases", type=int, default=20000, help="intake stops after this many cases"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="a demo SQLite database to copy for intake/status/list instead of building one",
    )
    args = parser.parse_args(argv)
    cases = args.cases or (100_000 if args.quick else 910_000)
    args.seconds = args.seconds or (8.0 if args.quick else 15.0)
    work = Path(tempfile.mkdtemp(prefix="ow-bench-"))
    started = dt.datetime.now(dt.UTC)
    results: list = []
    details: dict = {"machine_at_start": machine()}

    def attempt(name, fn, *fn_args):
        try:
            fn(*fn_args)
        except Exception as exc:  # one failing bench must not lose the others' figures
            log(f"{name} FAILED: {exc}")
            details.setdefault("failures", {})[name] = str(exc)[-3000:]
            results.append(row(f"{name} (failed: see details)", None, "", ok=False))

    try:
        base = None if args.database and "simulate" not in args.only else base_database(work)
        if "simulate" in args.only:
            attempt("simulate", bench_simulate, work, base, cases, results, details)
        if {"intake", "status", "list"} & set(args.only):
            if args.database:
                demo = copy_database(args.database, work / "demo.sqlite3")
                log(f"demo database: a copy of {args.database}")
            else:
                demo = copy_database(base, work / "demo.sqlite3")
                log("demo database: load_demo (the demo's simulated year to date)")
                run([ONEWINDOW, "load_demo"], environment(demo, work))
            if "list" in args.only:
                attempt("list", bench_list, work, demo, results, details)
            if {"intake", "status"} & set(args.only):
                attempt("server", bench_server, work, demo, args, results, details)
        if "supervision" in args.only:
            attempt("supervision", bench_supervision, work, args, results, details)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "results": results,
        "details": details,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (RESULTS / "latest.json").write_text(text + "\n")
    (RESULTS / f"{started:%Y%m%dT%H%M%SZ}{'-quick' if args.quick else ''}.json").write_text(
        text + "\n"
    )
    print(table(results))
    print(
        f"\nload average {report['machine']['load_average']} on {report['machine']['cpus']} CPUs; written to {RESULTS / 'latest.json'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
