"""Paced latency (open loop) on aiohttp: a fixed rate offered whatever the server does.

    .venv/bin/python bench/paced.py URL --rate 200 --seconds 10 [--paths FILE | --intake FILE]

Unit i (one request; or a scenario of several: window intake is a create, then the
accept of that case) is due at ``start + i / rate``. The sender starts it when it is due,
not when an earlier unit is answered, and each request is timed from when it was due (a
unit's later request from when the one before it was answered). So a server that stalls
cannot hide its queue behind a client that politely waits ("coordinated omission"), and a
sender that is itself held up (it shares the machine) does not hide it either: its
lateness counts. The first ``warmup`` seconds are offered at the same rate and not
counted. Once the last unit is due, those still unanswered get ``drain`` seconds; any
unfinished then count as slower than every answered request (an infinite latency in the
percentiles) and as not served.

Reports p50/p95/p99 per request and per unit, units served (answered as expected), the
errors and the sender's own lateness. Connections are kept alive, up to ``connections``
at once (more than the offered rate needs: when they are all busy a request waits for
one, and that wait counts, as it would for a client of the real service).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenarios import (  # noqa: E402
    PROXY_HEADERS,
    RATING_PATH,
    TABLET_COOKIE,
    intake_body,
    read_intake,
    read_paths,
    read_ratings,
)


def schedule(rate: float, seconds: float) -> list[float]:
    """When each unit is due, in seconds from the start: ``rate`` a second for ``seconds``
    (the last one due before ``seconds``)."""
    if rate <= 0 or seconds <= 0:
        return []
    n = math.ceil(rate * seconds - 1e-9)
    return [i / rate for i in range(n)]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted ``values`` (the smallest value with at least p %
    of the values at or below it)."""
    if not values:
        return None
    k = max(0, math.ceil(p / 100 * len(values) - 1e-9) - 1)
    return values[min(k, len(values) - 1)]


@dataclass
class Tally:
    """What the counted units did (the warm-up's go to a tally of their own)."""

    latencies: list = field(default_factory=list)  # per answered request, seconds
    unit_latencies: list = field(default_factory=list)  # per served unit, seconds
    lags: list = field(default_factory=list)  # how late the sender started each unit
    statuses: Counter = field(default_factory=Counter)
    requests: int = 0
    served: int = 0
    errors: int = 0
    first_error: str = ""

    def error(self, message: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or message[:300]


def _ms(seconds: float | None) -> float | None:
    if seconds is None or math.isinf(seconds):
        return None
    return round(seconds * 1000, 3)


def summarize(tally: Tally, *, offered: int, unfinished: int, seconds: float, rate: float) -> dict:
    """The figures of a paced run. Unfinished units each had one request in flight: it
    ranks after every answered request (a percentile that falls on it is None, reported
    as beyond the drain time)."""
    requests = sorted(tally.latencies) + [math.inf] * unfinished
    units = sorted(tally.unit_latencies) + [math.inf] * (offered - tally.served)
    lags = sorted(tally.lags)
    return {
        "rate_offered": rate,
        "seconds": seconds,
        "offered": offered,
        "served": tally.served,
        "served_per_s": tally.served / seconds if seconds else 0.0,
        "unfinished": unfinished,
        "errors": tally.errors,
        "first_error": tally.first_error,
        "requests": tally.requests,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "p50_ms": _ms(percentile(requests, 50)),
        "p95_ms": _ms(percentile(requests, 95)),
        "p99_ms": _ms(percentile(requests, 99)),
        "max_ms": _ms(requests[-1]) if requests else None,
        "unit_p50_ms": _ms(percentile(units, 50)),
        "unit_p95_ms": _ms(percentile(units, 95)),
        "unit_p99_ms": _ms(percentile(units, 99)),
        "sender_lag_p99_ms": _ms(percentile(lags, 99)),
        "sender_lag_max_ms": _ms(lags[-1]) if lags else None,
    }


class Failed(Exception):
    """A request of the unit was not answered as expected: the unit is not served."""


class Sender:
    """Sends one request and records it into a tally (``None``: warm-up, not counted)."""

    def __init__(self, session, base_url: str):
        self.session = session
        self.base = base_url.rstrip("/")
        self.loop = asyncio.get_running_loop()

    async def request(
        self, tally, method, path, *, since, json_body=None, data=None, headers=None, expect=(200,)
    ):
        """(body bytes, when it was answered); the latency is counted from ``since``.
        ``json_body`` is sent as JSON, ``data`` (a str) as it is."""
        try:
            async with self.session.request(
                method, self.base + path, json=json_body, data=data, headers=headers
            ) as response:
                body = await response.read()
                status = response.status
        except Exception as exc:  # refused, reset, garbled: not a CancelledError
            if tally is not None:
                tally.requests += 1
                tally.error(f"{method} {path}: {type(exc).__name__}: {exc}")
                tally.latencies.append(self.loop.time() - since)
            raise Failed from None
        now = self.loop.time()
        if tally is not None:
            tally.requests += 1
            tally.statuses[status] += 1
            tally.latencies.append(now - since)
            if status not in expect:
                tally.error(f"{method} {path}: {status} {body[:200]!r}")
        if status not in expect:
            raise Failed
        return body, now


async def _unit(scenario, sender: Sender, tally, i: int, due: float) -> None:
    def send(method, path, **kw):
        return sender.request(tally, method, path, **kw)

    try:
        await scenario(send, i, due)
    except Failed:
        return
    if tally is not None:
        tally.served += 1
        tally.unit_latencies.append(sender.loop.time() - due)


async def offer(
    base_url: str,
    scenario,
    *,
    rate: float,
    seconds: float,
    warmup: float = 1.0,
    drain: float = 10.0,
    connections: int = 100,
    headers: dict | None = None,
) -> dict:
    """Offer ``scenario`` (``async def scenario(send, i, due)``) ``rate`` times a second
    for ``warmup + seconds``; the figures of the last ``seconds``."""
    import aiohttp

    warm = schedule(rate, warmup)
    timeline = schedule(rate, warmup + seconds)
    counted_from = len(warm)
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    tally = Tally()
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        headers={**PROXY_HEADERS, **(headers or {})},
    ) as session:
        sender = Sender(session, base_url)
        start = loop.time() + 0.05
        tasks = []
        for i, offset in enumerate(timeline):
            due = start + offset
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            counted = tally if i >= counted_from else None
            if counted is not None:
                counted.lags.append(loop.time() - due)
            tasks.append(asyncio.create_task(_unit(scenario, sender, counted, i, due)))
        last_due = start + (timeline[-1] if timeline else 0.0)
        _done, pending = await asyncio.wait(
            tasks, timeout=max(0.01, last_due + drain - loop.time())
        )
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    unfinished = sum(1 for t in tasks[counted_from:] if t in pending)
    return summarize(
        tally,
        offered=len(timeline) - counted_from,
        unfinished=unfinished,
        seconds=seconds,
        rate=rate,
    )


def run(base_url: str, scenario, **kw) -> dict:
    """`offer` in a fresh event loop, in a thread of its own: the caller's thread may
    already run a loop (a test process that also drives a browser through Playwright)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, offer(base_url, scenario, **kw)).result()


# ------------------------------------------------------------------------ scenarios


def get_paths(paths: list[str], start: int = 0):
    """GET ``paths`` in turn from ``start`` on (unit i: paths[start + i])."""

    async def unit(send, i, due):
        await send("GET", paths[(start + i) % len(paths)], since=due)

    return unit


def window_intake(offers: list[dict], applicants: list[tuple[str, str]], start: int = 0):
    """Unit i: create a case (POST /api/v1/cases, 201) and accept it (200), both with the
    token of the offer's clerk; the accept is timed from the create's answer."""

    async def unit(send, i, due):
        n = start + i
        o = offers[n % len(offers)]
        headers = {"Authorization": f"Bearer {o['token']}", "Accept-Language": "en"}
        body, answered = await send(
            "POST",
            "/api/v1/cases",
            since=due,
            json_body=intake_body(o, applicants[n % len(applicants)]),
            headers=headers,
            expect=(201,),
        )
        case = json.loads(body)
        await send(
            "POST",
            f"/api/v1/cases/{case['number']}/accept",
            since=answered,
            json_body={"version": case["version"]},
            headers=headers,
            expect=(200,),
        )

    return unit


def window_ratings(lines: list[tuple[str, str]], start: int = 0):
    """Unit i: the tablet of line ``start + i`` posts its act's rating (201)."""

    async def unit(send, i, due):
        cookie, body = lines[(start + i) % len(lines)]
        await send(
            "POST",
            RATING_PATH,
            since=due,
            data=body,
            headers={
                "Cookie": f"{TABLET_COOKIE}={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "en",
            },
            expect=(201,),
        )

    return unit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rate", type=float, required=True, help="units offered per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--drain", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=100)
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--paths", type=Path, help="GET these paths (one a line) in turn")
    what.add_argument("--intake", type=Path, help="window intake from this file (scenarios.py)")
    what.add_argument("--ratings", type=Path, help="tablet ratings from this file (scenarios.py)")
    args = parser.parse_args(argv)
    if args.intake:
        scenario = window_intake(*read_intake(args.intake))
    elif args.ratings:
        scenario = window_ratings(read_ratings(args.ratings))
    else:
        scenario = get_paths(read_paths(args.paths) if args.paths else ["/healthz"])
    figures = run(
        args.url,
        scenario,
        rate=args.rate,
        seconds=args.seconds,
        warmup=args.warmup,
        drain=args.drain,
        connections=args.connections,
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
