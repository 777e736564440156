"""The floor bench: 30 windows of one hall signed in at once, each calling the next ticket
through the API (POST /api/v1/floor/window/call-next, then /window/done) against the
running `onewindow serve`, with thousands of tickets waiting in lines every window calls,
so that all of them ask for the head of the same lines at the same moment.

    .venv/bin/python bench/floor_calls.py prepare --windows 30 --tickets 20000
        (with DATABASE_URL: the windows, clerks, API tokens, sign-ins and tickets; JSON)

Each window is a closed loop (a clerk waits for the answer before the next click), run
twice on the same server:

* without a pause: every window calls, finishes and calls again as fast as the server
  answers. Gives the capacity (calls/s); its percentiles restate Little's law
  (windows ÷ capacity), so they are shown, not judged;
* paced: a pause after each answer of 0.3–1.0 s (random), the quickest a clerk clicks
  "call next" after "done" — or longer, so that the windows together ask for at most half
  the capacity just measured (as the rating and status benches are paced): a server
  offered its whole capacity queues, and its p95 is Little's law again, not the time of a
  call. Each window starts at a random moment within one pause (clerks do not click in
  step; 30 clicks in the same instant are the closed loop's first round) and the first
  seconds are not counted, as in the closed loop. Its call-next p95 is judged (< 100 ms),
  beside /healthz asked by 30 loops at the same pace on the same server (the floor).

A call answered with no ticket (nobody waiting) or an error counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from report import row  # noqa: E402
from scenarios import PROXY_HEADERS  # noqa: E402

WINDOWS = 30
CALL_P95_MS = 100.0
CLERK_PAUSE = (0.3, 1.0)  # seconds between an answer and the clerk's next click
PACED_SHARE = 0.5  # the paced run offers at most half the closed-loop capacity
HALL = "CG"
FIRST_WINDOW = 901  # the bench's windows: 901, 902 …
LETTERS = ("X", "Y")  # the bench's lines, called by every window of the hall
CALL_PATH = "/api/v1/floor/window/call-next"
DONE_PATH = "/api/v1/floor/window/done"


# ------------------------------------------------------------------ preparation


def prepare(windows: int, tickets: int) -> dict:
    """In the hall: ``windows`` windows and window clerks, each with an API token and
    signed in at its window; two lines naming no window (so every window calls both);
    ``tickets`` tickets of today waiting in them, green-channel ones among them."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from onewindow.accounts.roles import Role
    from onewindow.accounts.services import create_api_token
    from onewindow.factories import make_user, make_window
    from onewindow.floor import services
    from onewindow.floor.models import QueueCategory, Ticket
    from onewindow.halls.models import Hall

    hall = Hall.objects.get(code=HALL)
    lines = []
    for letter in LETTERS:
        line, _ = QueueCategory.objects.update_or_create(
            hall=hall, letter=letter, defaults={"name": f"压测{letter}", "daily_limit_per_id": 0}
        )
        line.windows.clear()
        lines.append(line)
    now = timezone.now()
    today = timezone.localdate(now)
    out = []
    for i in range(windows):
        window = make_window(hall, FIRST_WINDOW + i)
        clerk = make_user(f"bench_floor_{i + 1:02d}", halls=[hall], roles=[Role.WINDOW_CLERK])
        services.sign_in(actor=clerk, window=window)
        out.append(
            {
                "window": window.number,
                "token": create_api_token(actor=None, user=clerk, label="bench floor"),
            }
        )
    rng = random.Random(18)
    rows = []
    start = now - dt.timedelta(hours=2)
    per_line = {line.letter: 0 for line in lines}
    for k in range(tickets):
        line = lines[k % len(lines)]
        per_line[line.letter] += 1
        seq = per_line[line.letter]
        at = start + dt.timedelta(seconds=k * 7200 / tickets)
        rows.append(
            Ticket(
                hall=hall, category=line, day=today, letter=line.letter, seq=seq,
                number=f"{line.letter}{seq:03d}", issued_at=at, queued_at=at,
                priority=Ticket.Priority.GREEN if rng.random() < 0.03 else Ticket.Priority.NORMAL,
            )
        )  # fmt: skip
    with transaction.atomic():
        Ticket.objects.bulk_create(rows, batch_size=2000)
    return {"hall": hall.code, "windows": out, "tickets": tickets}


# ------------------------------------------------------------------------ load


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = max(0, math.ceil(p / 100 * len(values) - 1e-9) - 1)
    return values[min(k, len(values) - 1)]


async def _loops(base_url, windows, seconds, pause, healthz=False, warmup=0.0) -> dict:
    """One closed loop per window for ``seconds`` (after ``warmup`` seconds not counted):
    call next (timed), done, and the pause; or GET /healthz (timed) and the pause."""
    import aiohttp

    latencies: list[float] = []
    errors: list[str] = []
    done_calls = 0
    begin = time.monotonic()
    counted_from = begin + warmup
    end = counted_from + seconds

    async def loop(session, window, rng):
        nonlocal done_calls
        if pause:  # clerks at the clerk's pace do not click in step: each starts at its own time
            await asyncio.sleep(rng.uniform(0, pause[1]))
        headers = {**PROXY_HEADERS, "Authorization": f"Bearer {window['token']}",
                   "Accept-Language": "en"}  # fmt: skip
        body = {"window": window["window"]}
        while time.monotonic() < end:
            t0 = time.monotonic()
            try:
                if healthz:
                    async with session.get(base_url + "/healthz", headers=PROXY_HEADERS) as r:
                        await r.read()
                        ok = r.status == 200
                        what = f"/healthz {r.status}"
                else:
                    async with session.post(base_url + CALL_PATH, json=body, headers=headers) as r:
                        answer = await r.read()
                        ok = r.status == 200 and json.loads(answer).get("ticket") is not None
                        what = f"call-next {r.status} {answer[:200]!r}"
            except Exception as exc:  # the connection failed: an error, go on
                ok, what = False, f"{type(exc).__name__}: {exc}"
            t1 = time.monotonic()
            if t0 >= counted_from:
                (latencies.append(t1 - t0) if ok else errors.append(what))
            if ok and not healthz:
                async with session.post(base_url + DONE_PATH, json=body, headers=headers) as r:
                    await r.read()
                    if r.status != 200 and t0 >= counted_from:
                        errors.append(f"done {r.status}")
                    done_calls += 1
            if pause:
                await asyncio.sleep(rng.uniform(*pause))

    connector = aiohttp.TCPConnector(limit=len(windows) + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(loop(session, w, random.Random(i)) for i, w in enumerate(windows)))
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(ms),
        "per_s": round(len(ms) / seconds, 1),
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "p99_ms": _round(percentile(ms, 99)),
        "error_count": len(errors),
        "first_error": errors[0] if errors else "",
    }


def _round(value):
    return None if value is None else round(value, 1)


def loops(base_url, windows, seconds, pause=None, healthz=False, warmup=0.0) -> dict:
    return asyncio.run(_loops(base_url, windows, seconds, pause, healthz, warmup))


# ------------------------------------------------------------------ in run.py


def paced_pause(windows: int, capacity: float) -> tuple[float, float]:
    """The pause range of the paced run: a clerk's (0.3–1.0 s), or longer so that
    ``windows`` loops offer at most half of ``capacity`` calls/s (its mean then is
    windows ÷ (capacity ÷ 2))."""
    low, high = CLERK_PAUSE
    mean = windows / max(PACED_SHARE * capacity, 0.1)
    if mean <= (low + high) / 2:
        return CLERK_PAUSE
    return (round(0.5 * mean, 2), round(1.5 * mean, 2))


def bench_floor(eng, ctx, url, server_class, log, results: list, details: dict) -> None:
    """Called by bench/run.py on the demo database: prepare, start `onewindow serve`,
    run both loops and the floor, add the rows."""
    plan = ctx.plan
    env = ctx.env(url)
    tickets = 20_000 if plan.closed_seconds >= 10 else 10_000
    prep = json.loads(
        subprocess.run(
            [sys.executable, "bench/floor_calls.py", "prepare", "--windows", str(WINDOWS),
             "--tickets", str(tickets)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    windows = prep["windows"]
    log(f"{eng.name}: settle the database ({eng.settle('demo')})")
    log(
        f"{eng.name}: floor: {len(windows)} windows signed in at {prep['hall']}, "
        f"{prep['tickets']:,} tickets waiting; onewindow serve"
    )
    server = server_class(env, ctx.work / f"serve-floor-{eng.name}.log")
    try:
        server.wait_until_idle()
        seconds, warmup = plan.closed_seconds, plan.warmup_seconds
        log(f"  {len(windows)} windows calling without a pause, {seconds:g} s")
        c = loops(server.url, windows, seconds, warmup=warmup)
        c0 = loops(server.url, windows, seconds, healthz=True)
        details["floor_closed"], details["floor_closed_healthz"] = c, c0
        log(
            f"    {c['per_s']:,.1f} calls/s, p95 {c['p95_ms']} ms ({c['error_count']} errors); "
            f"/healthz {c0['per_s']:,.0f} req/s, p95 {c0['p95_ms']} ms"
        )
        seconds = max(plan.paced_seconds, 30)
        pause = paced_pause(len(windows), c["per_s"])
        log(
            f"  {len(windows)} windows paced ({pause[0]:.2f}–{pause[1]:.2f} s between calls), "
            f"{seconds:g} s after {warmup:g} s not counted"
        )
        p = loops(server.url, windows, seconds, pause=pause, warmup=warmup)
        p0 = loops(server.url, windows, seconds, pause=pause, healthz=True, warmup=warmup)
        p["pause_s"] = list(pause)
        details["floor_clerk_pace"], details["floor_clerk_pace_healthz"] = p, p0
        log(
            f"    call-next p95 {p['p95_ms']} ms over {p['requests']:,} calls "
            f"({p['error_count']} errors); /healthz p95 {p0['p95_ms']} ms"
        )
    finally:
        server.stop()
    n = len(windows)
    errors = f"; {c['error_count']} errors: {c['first_error'][:160]}" if c["error_count"] else ""
    results.append(
        row(
            "floor_call_capacity",
            f"calling next, {n} windows at once, closed loop without a pause",
            c["per_s"],
            "calls/s",
            floor=c0["per_s"],
            floor_label=f"/healthz req/s, {n} closed loops on the same server",
            target="",
            ok=None if not c["error_count"] else False,
            note=f"each call followed by its done{errors}",
        )
    )
    results.append(
        row(
            "floor_call_closed_p95",
            f"call-next p95, {n} windows at once without a pause (closed loop)",
            c["p95_ms"],
            "ms",
            floor=c0["p95_ms"],
            floor_label=f"/healthz p95, {n} closed loops",
            # Shown, not judged: without a pause the p95 restates Little's law.
            target="",
            ok=None if not c["error_count"] else False,
            note=f"p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms; "
            f"{n} ÷ (2 × capacity) = {1000 * n / max(2 * c['per_s'], 0.1):,.0f} ms",
        )
    )
    results.append(
        row(
            "floor_call_p95",
            f"call-next p95, {n} windows at once, paced (≤ half the capacity)",
            p["p95_ms"],
            "ms",
            floor=p0["p95_ms"],
            floor_label=f"/healthz p95, {n} loops at the same pace",
            target=f"< {CALL_P95_MS:g} ms",
            ok=p["p95_ms"] is not None and p["p95_ms"] < CALL_P95_MS and not p["error_count"],
            note=f"{p['requests']:,} calls ({p['per_s']:,.1f}/s, pause {p['pause_s'][0]}–"
            f"{p['pause_s'][1]} s), p99 {p['p99_ms']} ms"
            + (
                f"; {p['error_count']} errors: {p['first_error'][:160]}" if p["error_count"] else ""
            ),
        )
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["prepare"])
    parser.add_argument("--windows", type=int, default=WINDOWS)
    parser.add_argument("--tickets", type=int, default=20_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    print(json.dumps(prepare(args.windows, args.tickets), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
