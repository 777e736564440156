"""A simulated year of cases (`onewindow simulate`): volumes, rhythm and every event.

The seed speaks of about 910,000 cases a year over 140+ items in the centre and its eight
sub-centres. This package writes such a year over the published catalogue, so that lists,
supervision, reports and the benchmarks work on realistic data:

* `options`: what to simulate, and the figures a run reports;
* `snapshot`: halls, opening hours, windows, staff and the published items, read once;
* `plan`: volumes per item and hall (skewed; vehicle registration and social insurance
  heavy) and the weekly and seasonal rhythm, cases per hall and day;
* `generate`: each case's life cycle exactly as the services write it (events, statuses,
  versions, steps, corrections, suspensions, extensions, the legal clock), cut at `now`
  so that recent cases are still open;
* `write`: plain executemany in batches through the Django connection; the case number
  counters are raised past the simulated numbers so the live numbering continues.

Memory stays bounded: rows are generated day by day and written batch by batch. The same
generator feeds the benchmark's floor (bench/), which inserts the identical rows with the
bare sqlite3 module. Do not run it while the windows take cases on the same database:
it chooses case and step ids itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import time

from django.db import connection as default_connection

from .generate import Generator
from .options import Options, Stats
from .plan import PlanError
from .snapshot import Snapshot, load_snapshot
from .write import (
    TABLES,
    SchemaError,
    analyze,
    existing_counters,
    loaded_tables,
    next_ids,
    reserve_counters,
    table_sql,
    write_batch,
)

__all__ = [
    "TABLES",
    "Generator",
    "Options",
    "PlanError",
    "Progress",
    "SchemaError",
    "SimulationError",
    "Snapshot",
    "Stats",
    "load_snapshot",
    "make_generator",
    "run",
    "simulate_demo",
]

DEMO_CASES = 60000  # keeps `make demo` quick; `onewindow simulate --cases 910000` for a full year


class SimulationFailed(Exception):
    pass


SimulationError = (PlanError, SchemaError, SimulationFailed, ValueError)


class Progress:
    """A one-line progress bar on stderr: done/total, cases per second, ETA."""

    def __init__(self, total: int, stream=None, label: str = "simulate"):
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.started = time.monotonic()
        self.shown = 0.0
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < (0.2 if self.tty else 5.0):
            return
        self.shown = now
        self.last = done
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = int((self.total - done) / rate) if rate else 0
        filled = 30 * done // self.total
        line = (
            f"{self.label} [{'#' * filled}{'-' * (30 - filled)}] {done:,}/{self.total:,} cases "
            f"{100 * done / self.total:5.1f}%  {rate:,.0f} cases/s  ETA {eta // 60}:{eta % 60:02d}"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def finish(self, done: int) -> None:
        if getattr(self, "last", None) != done:
            self.update(done, force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def make_generator(options: Options, *, hall_codes=None, conn=None) -> Generator:
    """A generator positioned after the existing cases, steps and case numbers."""
    conn = conn or default_connection
    snapshot = load_snapshot(hall_codes)
    if not snapshot.halls:
        raise PlanError("no active hall matches")
    first_case, first_step = next_ids(conn)
    return Generator(
        snapshot,
        options,
        first_case_id=first_case,
        first_step_id=first_step,
        existing_counters=existing_counters(
            options.start, options.end, [h.id for h in snapshot.halls]
        ),
        vendor=conn.vendor,
    )


def run(
    options: Options,
    *,
    hall_codes=None,
    stderr=None,
    progress: bool = True,
    conn=None,
    parallel: bool | None = None,
) -> Stats:
    """Simulate and write: the entry point of `onewindow simulate` and `load_demo`.

    With ``parallel`` (the default where fork exists and there is more than one CPU) the
    rows are generated in a forked child process while this one writes the previous
    batch; the rows are the same either way.
    """
    conn = conn or default_connection
    started = time.monotonic()
    gen = make_generator(options, hall_codes=hall_codes, conn=conn)
    statements = table_sql(conn)
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
    bar = Progress(options.cases, stderr) if progress else None
    if conn.vendor == "sqlite":
        with conn.cursor() as cur:
            # A larger page cache for the index updates of a bulk load (this connection only).
            cur.execute("PRAGMA cache_size = -262144")
    cases = events = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived tuples and no cycles: the collector only costs time
    try:
        for rows in generated_batches(gen) if parallel else gen.batches():
            write_batch(conn, statements, rows)
            cases += len(rows["case"])
            events += len(rows["event"])
            if bar:
                bar.update(cases)
    finally:
        if gc_was_enabled:
            gc.enable()
    stats = gen.stats
    stats.events = events
    reserve_counters(gen.counters, conn)
    analyze(conn, loaded_tables())
    if bar:
        bar.finish(cases)
    rebuild_tallies(options, stderr if progress else None)
    stats.seconds = time.monotonic() - started
    return stats


def rebuild_tallies(options: Options, stderr=None) -> None:
    """The monthly counts (`cases.tally`) of the months written, counted again from
    their events: the simulation writes events by the table, not through the services
    that keep the counts. The ended months are closed."""
    from .. import tally

    tally.rebuild_months(tally.months(options.start, options.end), stderr)


def _produce(gen: Generator, send) -> None:
    """In the child: generate, pickle, send; then the counters and statistics."""
    gc.disable()
    try:
        for rows in gen.batches():
            send.send_bytes(pickle.dumps(("rows", rows), protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(
            pickle.dumps(("done", gen.counters, gen.stats), protocol=pickle.HIGHEST_PROTOCOL)
        )
    except BaseException as exc:  # reported to the parent, which raises it
        send.send_bytes(pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def generated_batches(gen: Generator):
    """The batches of ``gen``, generated in a forked child process that never touches the
    database (the snapshot was read before the fork). At most one batch waits in the pipe
    while the next one is generated, so memory stays bounded."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_produce, args=(gen, send), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                message = pickle.loads(recv.recv_bytes())
            except EOFError:
                raise SimulationFailed("the generator process ended unexpectedly") from None
            if message[0] == "rows":
                yield message[1]
            elif message[0] == "done":
                gen.counters, gen.stats = message[1], message[2]
                return
            else:
                raise SimulationFailed(message[1])
    finally:
        recv.close()
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join()


def simulate_demo(
    *, cases: int = DEMO_CASES, seed: int = 2026, stdout=None, stderr=None
) -> Stats | None:
    """The demo's cases: this year up to now (the whole last year when the year is only
    weeks old), so that recent cases are still open. Skipped when simulated cases exist,
    which keeps `load_demo` idempotent; `onewindow simulate` adds more."""
    from datetime import timedelta

    from django.utils import timezone

    from ..models import Case

    out = stdout or sys.stdout
    if cases <= 0:
        return None
    if Case.objects.filter(source=Case.Source.SIMULATION).exists():
        out.write(
            "simulation: simulated cases exist already, none added (`onewindow simulate` adds more)\n"
        )
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    start = today.replace(month=1, day=1)
    if (today - start).days < 60:
        start = today - timedelta(days=365)
    stats = run(Options(start=start, end=today, cases=cases, seed=seed, now=now), stderr=stderr)
    out.write(
        f"simulation: {stats.cases:,} cases from {start} to {today} with {stats.events:,} events "
        f"in {stats.seconds:.0f} s\n"
    )
    return stats
