"""The rows of the simulated cases, generated day by day in batches.

Every case goes through its life cycle as the services (`cases.services`) would write it:
the same events with the same statuses and data, the events of one service call at the
same moment, the optimistic version bumped once per call, the clock computed with the
rules of `cases.clock` on the same working-day calendar. Nothing happens after `now`: a
case keeps the state of its last event before it.

Speed: moments are whole seconds since 1970 in local time (Asia/Shanghai has no daylight
saving) and days are indices into tables built once for the period: dates, ISO texts,
and prefix sums of working days taken from `get_calendar()` (so "the n-th working day
after" and "working days between" are two list look-ups; a test checks them against the
calendar). That keeps generating a case cheaper than inserting its rows.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings

from ..services.common import official
from ..services.intake import DEEMED_REASON
from . import data as texts
from .options import Options, Stats
from .plan import DAY, EPOCH_ORDINAL, arrival_table, plan_volumes, weigh_offers
from .snapshot import HallPlan, Offer, Snapshot, StepPlan
from .write import TABLES

# Share of ALL cases with each life-cycle variant. Accept-with-gaps, suspensions,
# extensions and overdue conclusions happen to promised cases only: their rate among
# those is scaled so that the share of all cases stays as given.
RATES = {
    "refused": 0.02,
    "correction": 0.05,
    "gaps": 0.01,
    "suspended": 0.01,
    "extended": 0.005,
    "overdue": 0.015,
}
# Irregularities for e-supervision to find, each as a share of the cases where it can
# happen: a correction notice given after the five working days, a suspension that runs
# past its allowed length, a result delivered more than ten working days after the
# decision, a fee charged that is not the published one.
IRREGULAR = {
    "late_notice": 0.06,  # of correction notices
    "long_suspension": 0.15,  # of suspensions
    "late_delivery": 0.008,  # of deliveries of promised cases
    "wrong_fee": 0.015,  # of fees charged
}
WRONG_FEE_EXTRA = ("10.00", "20.00", "50.00")  # charged on top of the standard
CORRECTION_SUPPLIED = 0.9  # the others never come back (they stay waiting for correction)
HANDLED_AT_ONCE = (
    0.6  # immediate cases done by handle_immediately; the rest accepted, then concluded
)
OTHER_RESULTS = (("withdrawn", 0.015), ("void", 0.005), ("forwarded", 0.005))  # the rest is granted
DELIVERY_METHODS = (("window", 0.6), ("post", 0.22), ("electronic", 0.15), ("agent", 0.03))
SUSPENSION_KINDS = (
    ("expert_review", 0.3),
    ("testing", 0.25),
    ("appraisal", 0.15),
    ("hearing", 0.1),
    ("quarantine", 0.08),
    ("tender", 0.07),
    ("auction", 0.05),
)
RESULT_STATUS = {
    "granted": "concluded",
    "refused": "concluded",
    "forwarded": "concluded",
    "withdrawn": "withdrawn",
    "void": "void",
}
SPARE_DAYS = 500  # days after the period in the tables: due dates run past its end
BOOL = ("false", "true")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _weighted(pairs):
    return [v for v, _w in pairs], list(accumulate(w for _v, w in pairs))


def _outcome(done: int, due: int) -> str:
    return "early" if done < due else ("on_time" if done == due else "overdue")


class _Cut(Exception):
    """The next event would happen after `now`: the case stays as it is."""


class _Case:
    """The state of one case while its events are generated (what ends up in its row).
    Days are indices into the generator's day tables."""

    __slots__ = (
        "id", "n", "version", "status", "window", "clerk", "received_t", "last_t", "accepted_t",
        "acc", "due_p", "due_l", "provisional", "ext_days", "susp_days", "susp_since",
        "current_step", "assignee", "step_row", "step_due", "gaps_due", "gaps_promise",
        "refusal_reason", "result", "result_reason", "remedies", "certificate", "cert_valid",
        "out_p", "out_l", "wdu", "minutes", "fee", "concluded_t", "delivered_t", "delivery",
        "missing", "to_follow", "refused_t", "deemed",
    )  # fmt: skip

    def __init__(self, cid: int, window, clerk, t: int):
        self.id = cid
        self.n = 0
        self.version = 1
        self.status = "received"
        self.window = window
        self.clerk = clerk
        self.received_t = self.last_t = t
        self.accepted_t = self.acc = self.due_p = self.due_l = None
        self.provisional = False
        self.ext_days = self.susp_days = 0
        self.susp_since = self.current_step = self.assignee = self.step_row = self.step_due = None
        self.gaps_due = self.refused_t = None
        self.gaps_promise = self.refusal_reason = self.result = self.result_reason = (
            self.remedies
        ) = ""
        self.certificate = self.delivery = self.out_p = self.out_l = ""
        self.cert_valid = self.wdu = self.minutes = self.fee = None
        self.concluded_t = self.delivered_t = None
        self.missing = self.to_follow = ()
        self.deemed = False


class Generator:
    """Yields batches {table key: list of rows}; afterwards ``counters`` holds the last
    case number used per (hall id, date)."""

    def __init__(
        self,
        snapshot: Snapshot,
        options: Options,
        *,
        first_case_id: int = 1,
        first_step_id: int = 1,
        existing_counters: dict | None = None,
        vendor: str = "sqlite",
    ):
        self.snapshot = snapshot
        self.options = options
        self.cal = snapshot.calendar
        self.rng = random.Random(options.seed)
        self.case_id = first_case_id
        self.step_id = first_step_id
        self.existing = existing_counters or {}
        self.counters: dict[tuple[int, date], int] = {}
        tz = ZoneInfo(settings.TIME_ZONE)
        self.offset = int(
            tz.utcoffset(datetime.combine(options.start, datetime.min.time())).total_seconds()
        )
        if (
            int(tz.utcoffset(datetime.combine(options.end, datetime.min.time())).total_seconds())
            != self.offset
        ):
            raise ValueError(
                "the simulation needs a time zone without daylight saving (e.g. Asia/Shanghai)"
            )
        now = options.now or datetime.combine(
            options.end + timedelta(days=1), datetime.min.time(), tzinfo=tz
        )
        self.now_local = int(now.timestamp()) + self.offset
        self._day_tables(vendor)
        self.stats = Stats()
        weigh_offers(snapshot, self.rng)
        self.volumes = plan_volumes(
            snapshot, options.start, options.end, options.cases, self.now_local, self.rng
        )
        self._rates()
        self._applicants()
        for offer in snapshot.offers:
            offer.received = offer.received_json()
        self.deliveries = _weighted(DELIVERY_METHODS)
        self.suspension_kinds = _weighted(SUSPENSION_KINDS)
        self.certificates = 0
        self.deemed_reason = official(DEEMED_REASON)
        self._reset()

    # ------------------------------------------------------------------ setup

    def _day_tables(self, vendor: str) -> None:
        """Index i is the local day ``base + i`` (days since 1970): its date, ISO text,
        weekday, and prefix sums of working days and of days without official data."""
        cal = self.cal
        self.base = self.options.start.toordinal() - EPOCH_ORDINAL - 2
        n = (self.options.end - self.options.start).days + SPARE_DAYS
        self.dates = [date.fromordinal(self.base + EPOCH_ORDINAL + i) for i in range(n)]
        self.dstr = [d.isoformat() for d in self.dates]
        self.weekday = [d.weekday() for d in self.dates]
        self.working = [cal.is_working_day(d) for d in self.dates]
        self.work_prefix = [0, *accumulate(self.working)]
        self.work_days = [i for i, w in enumerate(self.working) if w]
        self.uncovered_prefix = [0, *accumulate(not cal.covers(d.year) for d in self.dates)]
        suffix = "" if vendor == "sqlite" else "+00:00"
        self.tod = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}" for s in range(DAY)]

    def _rates(self) -> None:
        """Scale the promised-only rates by the expected share of promised cases."""
        promised = gaps = total = 0.0
        for (_ld, h), n in self.volumes.items():
            hall = self.snapshot.halls[h]
            promised += n * sum(o.weight for o in hall.offers if not o.immediate) / hall.weight
            gaps += (
                n
                * sum(o.weight for o in hall.offers if not o.immediate and o.followable)
                / hall.weight
            )
            total += n
        self.p = dict(RATES)
        for key in ("suspended", "extended", "overdue"):
            self.p[key] = min(0.5, RATES[key] * total / promised) if promised else 0.0
        self.p["gaps"] = min(0.5, RATES["gaps"] * total / gaps) if gaps else 0.0

    def _applicants(self) -> None:
        """People and companies to draw from (they come back)."""
        self.people, self.orgs = texts.applicants(self.rng)

    def _reset(self) -> None:
        # "counters": the case number counters the batch's cases use, raised in the
        # batch's own transaction so that a run killed half-way can be run again.
        self.rows = {key: [] for key, _model, _cols in TABLES}
        self.rows["counters"] = {}

    # -------------------------------------------------------- calendar helpers

    def add(self, i: int, n: int) -> int:
        """The n-th working day after day i (n = 0: i itself), as a day index."""
        if n == 0:
            return i
        return self.work_days[self.work_prefix[i + 1] + n - 1]

    def between(self, i: int, j: int) -> int:
        """Working days d with i < d <= j."""
        return self.work_prefix[j + 1] - self.work_prefix[i + 1] if j > i else 0

    def provisional(self, i: int, j: int) -> bool:
        """Whether a day in (i, j] lies in a year without official calendar data."""
        return j > i and self.uncovered_prefix[j + 1] != self.uncovered_prefix[i + 1]

    def ts(self, t: int) -> str:
        """Local seconds -> the database's UTC timestamp text."""
        u = t - self.offset
        return self.dstr[u // DAY - self.base] + self.tod[u % DAY]

    def day(self, t: int) -> int:
        return t // DAY - self.base

    def work_time(self, hall: HallPlan, i: int, prev: int) -> int:
        """A moment in office hours on working day ``i``, always after ``prev``: on
        ``prev``'s own day (or a day before it) a few minutes after ``prev``."""
        opens, closes = hall.office_hours(self.weekday[i])
        if prev // DAY - self.base >= i:
            t = prev + 60 * (3 + int(self.rng.random() * 45))
            return t if t % DAY <= closes else prev + 60
        return (i + self.base) * DAY + opens + int(self.rng.random() * (closes - opens - 1800))

    def _arrivals(self, hall: HallPlan, hours):
        table = hall.arrivals.get(hours)
        if table is None:
            table = hall.arrivals[hours] = arrival_table(*hours)
        return table

    def visit_time(self, hall: HallPlan, i: int) -> int | None:
        """An arrival at the hall on day ``i`` (None when the hall is closed)."""
        if i >= len(self.dates) - 60:
            raise _Cut
        hours = hall.public_hours(self.dates[i], self.working[i], self.snapshot.holidays)
        if hours is None:
            return None
        starts, cum, last = self._arrivals(hall, hours)
        slot = bisect(cum, self.rng.random() * cum[-1])
        return (i + self.base) * DAY + min(starts[slot] + int(self.rng.random() * 1800), last)

    # ---------------------------------------------------------------- the loop

    def batches(self) -> Iterator[dict]:
        rng = self.rng
        batch = self.options.batch_cases
        holidays = self.snapshot.holidays
        for ld in sorted({ld for ld, _h in self.volumes}):
            i = ld - self.base
            d = self.dates[i]
            for hall in self.snapshot.halls:
                n = self.volumes.get((ld, hall.index))
                if not n:
                    continue
                starts, cum, last = self._arrivals(
                    hall, hall.public_hours(d, self.working[i], holidays)
                )
                last = min(last, self.now_local - ld * DAY)
                top = cum[-1]
                arrivals = sorted(
                    min(starts[bisect(cum, rng.random() * top)] + int(rng.random() * 1800), last)
                    for _ in range(n)
                )
                offers = rng.choices(hall.offers, cum_weights=hall.cum_weights, k=n)
                seq0 = self.existing.get((hall.id, d), 0)
                prefix = f"{hall.code}{d:%Y%m%d}"
                for j in range(n):
                    self._case(
                        hall, offers[j], ld * DAY + arrivals[j], f"{prefix}{seq0 + j + 1:04d}"
                    )
                self.counters[(hall.id, d)] = self.rows["counters"][(hall.id, d)] = seq0 + n
                if len(self.rows["case"]) >= batch:
                    yield self.rows
                    self._reset()
        if self.rows["case"]:
            yield self.rows
            self._reset()

    # ----------------------------------------------------------------- a case

    def _ev(
        self,
        c: _Case,
        hall: HallPlan,
        kind,
        t,
        actor,
        frm="",
        to="",
        reason="",
        data="{}",
        pos=None,
    ):
        if t > self.now_local:
            raise _Cut
        c.n += 1
        c.last_t = t
        u = t - self.offset
        self.rows["event"].append(
            (
                c.id, c.n, kind, self.dstr[u // DAY - self.base] + self.tod[u % DAY], actor, hall.id,
                c.window, pos, frm, to, reason, data,
            )
        )  # fmt: skip

    def _case(self, hall: HallPlan, offer: Offer, t: int, number: str) -> None:
        rng = self.rng
        r = rng.random
        clerks = offer.clerks
        c = _Case(
            self.case_id,
            offer.windows[int(r() * len(offer.windows))],
            clerks[int(r() * len(clerks))],
            t,
        )
        self.case_id += 1
        if r() < offer.organisation_share:
            applicant = self.orgs[int(r() * len(self.orgs))]
        else:
            applicant = self.people[int(r() * len(self.people))]
        try:
            self._life(c, hall, offer, t)
        except _Cut:
            pass
        if c.fee and r() < IRREGULAR["wrong_fee"]:
            self._wrong_fee(c)
        stats = self.stats
        stats.cases += 1
        stats.by_status[c.status] = stats.by_status.get(c.status, 0) + 1
        ts, dstr = self.ts, self.dstr
        self.rows["case"].append(
            (
                c.id, number, "".join(rng.choices(texts.QUERY_CODE_ALPHABET, k=8)), "simulation",
                hall.id, c.window, offer.department_id, offer.item_id, offer.version_id, offer.immediate,
                applicant[0], applicant[1], applicant[2], applicant[3], applicant[4], c.status,
                ts(c.received_t), c.clerk, ts(c.accepted_t) if c.accepted_t else None,
                dstr[c.acc] if c.acc is not None else None,
                ts(c.concluded_t) if c.concluded_t else None, ts(c.delivered_t) if c.delivered_t else None,
                offer.legal, offer.promised, c.ext_days, c.susp_days,
                dstr[c.susp_since] if c.susp_since is not None else None,
                dstr[c.due_p] if c.due_p is not None else None, dstr[c.due_l] if c.due_l is not None else None,
                c.provisional, c.current_step, c.assignee,
                dstr[c.gaps_due] if c.gaps_due is not None else None, c.gaps_promise, c.refusal_reason,
                c.result, c.result_reason, c.remedies, c.certificate, c.cert_valid, c.out_p, c.out_l,
                c.wdu, c.minutes, c.fee, c.delivery, c.version, ts(c.last_t),
                c.deemed and c.acc is not None, ts(c.refused_t) if c.refused_t else None,
            )
        )  # fmt: skip
        missing, to_follow = c.missing, c.to_follow
        if missing:
            self.rows["material"].extend(
                (c.id, mid, name, req, req and mid not in missing, mid in to_follow)
                for mid, name, req in offer.materials
            )
        else:
            cid = c.id
            self.rows["material"].extend((cid, *m) for m in offer.material_rows)
        stats.materials += len(offer.materials)

    def _life(self, c: _Case, hall: HallPlan, offer: Offer, t: int) -> None:
        """Append the events of one case; raises _Cut at the first one after `now`."""
        r = self.rng.random
        p = self.p
        u = r()
        correction = p["refused"] <= u < p["refused"] + p["correction"]
        missing = gaps = ()
        if correction and offer.required:
            k = 1 if len(offer.required) == 1 or r() < 0.7 else 2
            missing = tuple(self.rng.sample(offer.required, k))
        elif (
            not correction
            and u >= p["refused"]
            and offer.followable
            and not offer.immediate
            and r() < p["gaps"]
        ):
            gaps = (offer.followable[int(r() * len(offer.followable))],)
        if missing or gaps:
            c.missing = {mid for mid, _n in missing + gaps}
            received = offer.received_json(c.missing)
        else:
            received = offer.received
        self._ev(c, hall, "received", t, c.clerk, "", "received", "", received)
        if u < p["refused"]:
            t += 60 * (3 + int(r() * 10))
            reason = texts.REFUSAL_REASONS[int(r() * len(texts.REFUSAL_REASONS))]
            self._ev(c, hall, "refused", t, c.clerk, "received", "refused", reason)
            c.version += 1
            c.status, c.refusal_reason, c.refused_t = "refused", reason, t
            c.remedies = texts.REMEDIES
            return
        clerk = c.clerk
        if correction:
            t = self._correction(c, hall, offer, t, missing)
            if t is None:
                return
            clerk = offer.clerks[int(r() * len(offer.clerks))]
        # Acceptance (受理): the clock starts.
        t += 60 * (2 + int(r() * 8))
        # A notice given too late: the application counts as accepted on receipt.
        acc = self.day(c.received_t) if c.deemed else self.day(t)
        dp, dl = self.add(acc, offer.promised), self.add(acc, offer.legal)
        provisional = self.provisional(acc, dl)
        dstr = self.dstr
        accepted = (
            f'{{"accepted_on": "{dstr[acc]}", "promised_due_date": "{dstr[dp]}", "legal_due_date": "{dstr[dl]}", '
            f'"provisional": {BOOL[provisional]}, "deemed_on_receipt": {BOOL[c.deemed]}}}'
        )
        if gaps:
            gaps_due = self.add(acc, 3 + int(r() * 5))
            self._ev(
                c, hall, "accepted_with_gaps", t, clerk, "received", "accepted", texts.GAPS_PROMISE,
                _json({"to_follow": [n for _m, n in gaps], "material_ids": [m for m, _n in gaps], "due": dstr[gaps_due]}),
            )  # fmt: skip
        self._ev(
            c, hall, "accepted", t, clerk, "received", "accepted",
            self.deemed_reason if c.deemed else "", accepted,
        )  # fmt: skip
        c.status, c.accepted_t, c.acc = "accepted", t, acc
        c.due_p, c.due_l, c.provisional = dp, dl, provisional
        if gaps:
            c.gaps_due, c.gaps_promise, c.to_follow = gaps_due, texts.GAPS_PROMISE, c.missing
        if offer.immediate:
            c.version += 1
            if r() < HANDLED_AT_ONCE:  # handle_immediately: accepted and concluded in one call
                self._conclude(
                    c, hall, offer, t, "granted" if r() < 0.995 else "void", clerk, bump=False
                )
            else:  # accepted (no steps: back to the window), concluded a few minutes later
                c.assignee = c.clerk
                t += 60 * (3 + int(r() * 20))
                self._conclude(c, hall, offer, t, "granted" if r() < 0.99 else "withdrawn", clerk)
            if c.status == "concluded":
                self._deliver(c, hall, t + 60 * (1 + int(r() * 3)), "window", clerk)
            return
        self._promised(c, hall, offer, t, clerk)

    def _correction(self, c: _Case, hall: HallPlan, offer: Offer, t: int, missing) -> int | None:
        """A one-time correction notice; most applicants come back some days later."""
        r = self.rng.random
        due = self.add(self.day(c.received_t), 5)
        late = r() < IRREGULAR["late_notice"]
        if late:  # after the five working days: the case will count as accepted on receipt
            t = self.work_time(hall, self.add(due, 1 + int(r() * 4)), t)
            c.deemed = True
        else:
            t += 60 * (5 + int(r() * 10))
        due_by = self.dstr[due]
        if missing:
            items = [
                {
                    "material_id": mid,
                    "name": name,
                    "note": "",
                    "derived_from": None,
                    "key": f"1.{i}",
                }
                for i, (mid, name) in enumerate(missing, start=1)
            ]
        else:
            items = [
                {
                    "material_id": None,
                    "name": texts.CORRECTION_TEXT_ITEM,
                    "note": "",
                    "derived_from": None,
                    "key": "1.1",
                }
            ]
        names = [i["name"] for i in items]
        self._ev(
            c, hall, "correction_issued", t, c.clerk, "received", "correction", "",
            _json({"round": 1, "items": names, "due_by": due_by, "late": late}),
        )  # fmt: skip
        c.version += 1
        c.status = "correction"
        row = [c.id, 1, _json(items), self.ts(t), c.clerk, None, due_by, late]
        self.rows["correction"].append(row)
        self.stats.corrections += 1
        if r() >= CORRECTION_SUPPLIED:
            return None
        i = self.day(t) + 1 + int(r() * 10)
        back = None
        for _ in range(14):
            back = self.visit_time(hall, i)
            if back is not None:
                break
            i += 1
        if back is None:
            return None
        clerk = offer.clerks[int(r() * len(offer.clerks))]
        self._ev(
            c, hall, "correction_supplied", back, clerk, "correction", "received", "",
            _json({"round": 1, "provided": [n for _m, n in missing]}),
        )  # fmt: skip
        c.version += 1
        c.status, c.missing = "received", ()
        row[5] = self.ts(back)
        return back

    def _promised(self, c: _Case, hall: HallPlan, offer: Offer, t: int, clerk) -> None:
        """Steps, maybe a suspension or an extension, conclusion at the window, delivery."""
        rng = self.rng
        r = rng.random
        p = self.p
        acc = c.acc
        steps = offer.steps
        k = len(steps)
        n = max(k, 1)
        ext = (
            rng.randint(min(5, offer.max_extension), offer.max_extension)
            if r() < p["extended"]
            else 0
        )
        allowance = offer.promised + ext
        if r() < p["overdue"]:
            span = (offer.legal + ext if r() < 0.2 else allowance) + 1 + int(r() * r() * 4)
        elif r() < 0.1:
            span = allowance
        else:
            span = max(1, min(allowance, math.ceil(allowance * (0.15 + 0.85 * (r() + r()) / 2))))
        # Working days after acceptance (suspensions left out) of each step's decision.
        marks = sorted(max(1, min(span, math.ceil(span * (i + 1) / n - r()))) for i in range(n))
        marks[-1] = span
        susp_step = int(r() * n) if r() < p["suspended"] else -1
        shift = 0
        if k:
            self._open_step(c, hall, steps[0], t)
        else:
            c.assignee = c.clerk  # no steps: back to the window
        c.version += 1  # the acceptance call (with the first step)
        prev = t
        if c.to_follow:
            at = self.work_time(hall, self.add(acc, min(marks[0], 1 + int(r() * 3))), prev)
            gap_names = [name for mid, name in offer.followable if mid in c.to_follow]
            self._ev(
                c, hall, "gaps_supplied", at, clerk, "", "", "",
                _json({"provided": gap_names, "remaining": 0, "due": self.dstr[c.gaps_due]}),
            )  # fmt: skip
            c.version += 1
            c.gaps_due, c.to_follow, c.missing = None, (), ()
            prev = at
        decision = "approve"
        for i in range(n):
            step = steps[i] if k else None
            if i == susp_step:
                prev = self._suspend(c, hall, offer, prev)
                shift = c.susp_days
            if ext and i == n - 1:
                day = self.add(acc, max(marks[i] - 1, marks[i - 1] if i else 0) + shift)
                prev = self._extend(c, hall, offer, day, prev, ext)
            at = self.work_time(hall, self.add(acc, marks[i] + shift), prev)
            last = i == n - 1
            if step is None:
                decision = "reject" if r() < 0.02 else "approve"
            elif step.role == "approver" or last:
                decision = "reject" if last and r() < 0.025 else "approve"
            else:
                decision = "pass"
            if step is not None:
                final = last or decision == "reject"
                self._ev(
                    c, hall, "step_decided", at, c.assignee, "", "", texts.OPINIONS[decision],
                    step.decided_json[(decision, final)], step.position,
                )  # fmt: skip
                row = c.step_row
                row[9], row[10], row[11] = self.ts(at), decision, texts.OPINIONS[decision]
                if final:
                    c.current_step, c.step_row, c.step_due, c.assignee = None, None, None, c.clerk
                else:
                    self._open_step(c, hall, steps[i + 1], at)
                c.version += 1
            prev = at
            if decision == "reject":
                break
        # Conclusion at the window (出证), the same or the next working day, then delivery.
        day = self.day(prev)
        if r() < 0.4 and day < c.due_p:  # the next day, when that does not make it late
            day = self.add(day, 1)
        at = self.work_time(hall, day, prev)
        if decision == "reject":
            result = "refused"
        else:
            u, result = r(), "granted"
            for name, share in OTHER_RESULTS:
                if u < share:
                    result = name
                    break
                u -= share
        self._conclude(c, hall, offer, at, result, clerk)
        if c.status == "concluded":
            method = self.deliveries[0][bisect(self.deliveries[1], r() * self.deliveries[1][-1])]
            if r() < IRREGULAR["late_delivery"]:  # later than ten working days
                day = self.add(self.day(at), 11 + int(r() * 10))
            else:
                day = self.add(self.day(at), int(r() * r() * 5))
            self._deliver(c, hall, self.work_time(hall, day, at), method, clerk)

    def _open_step(self, c: _Case, hall: HallPlan, step: StepPlan, t: int) -> None:
        """start_step: a CaseStep row, assigned; the step_assigned event at ``t``."""
        assignee = step.pool[int(self.rng.random() * len(step.pool))]
        self._ev(
            c, hall, "step_assigned", t, c.assignee or c.clerk, "", "", "",
            step.assigned_json.get(assignee, "{}"), step.position,
        )  # fmt: skip
        sid = self.step_id
        self.step_id += 1
        due = self.add(self.day(t), step.limit_days) if step.limit_days else c.due_p
        row = [
            sid,
            c.id,
            step.step_id,
            step.position,
            step.name,
            step.role,
            assignee,
            self.ts(t),
            self.dstr[due],
            None,
            "",
            "",
        ]
        self.rows["step"].append(row)
        self.stats.steps += 1
        c.current_step, c.assignee, c.step_row, c.step_due = sid, assignee, row, due

    def _dues(self, c: _Case, offer: Offer, ext_days: int, susp_days: int):
        extra = ext_days + susp_days
        dp = self.add(c.acc, offer.promised + extra)
        dl = self.add(c.acc, offer.legal + extra)
        return dp, dl, c.provisional or self.provisional(c.acc, dl)

    def _suspend(self, c: _Case, hall: HallPlan, offer: Offer, prev: int) -> int:
        """A B-type special procedure during the current step: the clock stops."""
        r = self.rng.random
        kinds, cum = self.suspension_kinds
        kind = kinds[bisect(cum, r() * cum[-1])]
        max_days = (10, 15, 20, 30)[int(r() * 4)]
        if r() < IRREGULAR["long_suspension"]:  # runs past its allowed length
            length = max_days + 1 + int(r() * 8)
        else:
            length = 2 + int(r() * (max_days - 1))
        actor = c.assignee
        at = self.work_time(hall, self.day(prev), prev)
        reason = texts.SUSPENSION_REASONS[kind]
        self._ev(
            c, hall, "suspended", at, actor, "accepted", "suspended", reason,
            f'{{"kind": "{kind}", "max_days": {max_days}}}',
        )  # fmt: skip
        started = self.day(at)
        row = [c.id, kind, reason, max_days, self.dstr[started], None, 0, actor]
        self.rows["suspension"].append(row)
        self.stats.suspensions += 1
        c.version += 1
        c.status, c.susp_since = "suspended", started
        resumed = self.add(started, length)
        back = self.work_time(hall, resumed, at)
        added = self.between(started, resumed)
        dp, dl, provisional = self._dues(c, offer, c.ext_days, c.susp_days + added)
        dstr = self.dstr
        self._ev(
            c, hall, "resumed", back, actor, "suspended", "accepted", "",
            f'{{"kind": "{kind}", "days_added": {added}, "promised_due_date": "{dstr[dp]}", '
            f'"legal_due_date": "{dstr[dl]}", "provisional": {BOOL[provisional]}}}',
        )  # fmt: skip
        row[5], row[6] = dstr[resumed], added
        c.version += 1
        c.status, c.susp_since, c.susp_days = "accepted", None, c.susp_days + added
        c.due_p, c.due_l, c.provisional = dp, dl, provisional
        if c.step_row is not None and added:
            limit = next((s.limit_days for s in offer.steps if s.position == c.step_row[3]), 0)
            c.step_due = self.add(c.step_due, added) if limit else dp
            c.step_row[8] = dstr[c.step_due]
        return back

    def _extend(
        self, c: _Case, hall: HallPlan, offer: Offer, day: int, prev: int, days: int
    ) -> int:
        """An A-type extension, approved by an approver of the hall before the legal due
        date (one asked for later is refused: the case stays overdue)."""
        r = self.rng.random
        if day > c.due_l:
            return prev
        at = self.work_time(hall, day, prev)
        requester = c.assignee or c.clerk
        # Approval by someone else: approving one's own extension is an irregular act
        # that e-supervision flags, and the simulated year should not be full of them.
        others = [a for a in offer.approvers if a != requester] or list(offer.approvers)
        approver = others[int(r() * len(others))]
        reason = texts.EXTENSION_REASONS[int(r() * len(texts.EXTENSION_REASONS))]
        dp, dl, provisional = self._dues(c, offer, c.ext_days + days, c.susp_days)
        data = {
            "days": days,
            "total": c.ext_days + days,
            "approver": hall.usernames.get(approver),
            "approver_id": approver,
            "promised_due_date": self.dstr[dp],
            "legal_due_date": self.dstr[dl],
        }
        self._ev(c, hall, "extended", at, requester, "", "", reason, _json(data))
        self.rows["extension"].append(
            (c.id, days, reason, requester, approver, self.ts(at), "approved", self.ts(at), "")
        )
        self.stats.extensions += 1
        c.version += 1
        c.ext_days += days
        c.due_p, c.due_l, c.provisional = dp, dl, provisional
        return at

    def _conclude(
        self, c: _Case, hall: HallPlan, offer: Offer, t: int, result: str, clerk, bump: bool = True
    ) -> None:
        """conclude_into: the result, the outcome against both due dates, the fee."""
        r = self.rng.random
        done = self.day(t)
        reason = ""
        if result == "refused":
            reason = texts.REJECTION_REASONS[int(r() * len(texts.REJECTION_REASONS))]
        elif result == "withdrawn":
            reason = texts.WITHDRAWAL_REASON
        elif result == "void":
            reason = texts.VOID_REASON
        elif result == "forwarded":
            reason = texts.FORWARD_REASON
        status = RESULT_STATUS[result]
        if result in ("granted", "refused"):  # only a decision is judged (as the services do)
            out_p, out_l = _outcome(done, c.due_p), _outcome(done, c.due_l)
            used = self.between(c.acc, done) - c.susp_days
            used = used if used > 0 else 0
            minutes = (t - c.accepted_t) // 60 if offer.immediate else None
            data = (
                f'{{"result": "{result}", "outcome_promised": "{out_p}", "outcome_legal": "{out_l}", '
                f'"working_days_used": {used}, "minutes_used": {"null" if minutes is None else minutes}}}'
            )  # fmt: skip
        else:
            out_p = out_l = ""
            used = minutes = None
            data = f'{{"result": "{result}"}}'
        self._ev(c, hall, "concluded", t, clerk, c.status, status, reason, data)
        fee = offer.fee if result == "granted" else None
        if fee:
            self._ev(c, hall, "fee_charged", t, clerk, "", "", "", offer.fee_json)
            self.rows["fee_line"].extend((c.id, *line) for line in offer.fee_lines)
        if bump:
            c.version += 1
        c.status, c.result, c.concluded_t, c.fee = status, result, t, fee
        c.out_p, c.out_l, c.wdu, c.minutes = out_p, out_l, used, minutes
        c.result_reason = reason
        c.current_step = c.step_row = c.step_due = None
        c.assignee = c.clerk if status == "concluded" else None
        if result == "refused":
            c.remedies = texts.REMEDIES
        if result == "granted" and offer.has_certificate:
            self.certificates += 1
            c.certificate = f"{hall.code}{self.dates[done].year}{self.certificates:07d}"
            if not offer.immediate or r() < 0.5:
                c.cert_valid = date.fromordinal(
                    self.dates[done].toordinal() + 365 * (1 + int(r() * 6))
                ).isoformat()

    def _wrong_fee(self, c: _Case) -> None:
        """Charge more than the published standard (an irregularity the fee rule finds):
        the case's fee and its `fee_charged` event say the same amount."""
        charged = Decimal(c.fee) + Decimal(WRONG_FEE_EXTRA[int(self.rng.random() * 3)])
        c.fee = f"{charged:.2f}"
        events = self.rows["event"]
        for k in range(len(events) - 1, -1, -1):
            row = events[k]
            if row[0] != c.id:
                break
            if row[2] == "fee_charged":
                data = json.loads(row[11])
                data["charged"] = c.fee
                events[k] = (*row[:11], _json(data))
                break

    def _deliver(self, c: _Case, hall: HallPlan, t: int, method: str, clerk) -> None:
        after = self.between(self.day(c.concluded_t), self.day(t))
        self._ev(
            c, hall, "delivered", t, clerk, "concluded", "delivered", "",
            f'{{"method": "{method}", "working_days_after_decision": {after}}}',
        )  # fmt: skip
        c.version += 1
        c.status, c.delivered_t, c.delivery, c.assignee = "delivered", t, method, None
