"""The follow-ups of the demo's bad ratings (`load_demo`), in every state.

Each bad rating without a follow-up gets one, written as history (bulk_create, with its
events; no audit rows, as the demo's ratings and cases): the older ones went the whole
way (called back, fixed, explained or appealed, reported back, often rated again), the
recent ones stand where a hall would be now: to call back, called back, being fixed,
appealed, waiting for the report; a few are overdue (call back or fix), which the next
supervision scan cards. Every choice is drawn from the rating's id, and every date is
counted on the working-day calendar from the rating's day, so a second run adds nothing
and a later month of ratings gets its share.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from onewindow.ratings.models import Level, Rating
from onewindow.workdays.services import get_calendar

from .models import CALLBACK_DAYS, FollowUp, FollowUpEvent
from .services import default_owner, fix_days_for

S = FollowUp.State
OUT = FollowUp.Outcome
BATCH = 2000

CALLBACK_NOTES = (
    "已电话回访评价人，了解具体情况并致歉。",
    "电话回访，评价人反映等候时间过长，已说明改进措施。",
    "回访评价人，核实窗口人员服务态度问题属实。",
)
FIX_PLANS = ("窗口增设引导提示，加强服务用语培训。", "补充办事指南材料说明，窗口一次性告知。")
ANSWERS = {
    OUT.FIXED_NOW: "当场补办完毕，并向评价人致歉。",
    OUT.FIXED: "已按承诺完成整改，相关人员已培训。",
    OUT.FIXED_LATE: "整改已完成，但晚于承诺期限。",
    OUT.EXPLAINED: "所需材料为法定要求，已向评价人解释清楚。",
    OUT.APPEAL_UPHELD: "经中心核实，该评价所涉问题不属于本厅服务范围。",
}
REPORT = "您反映的问题我们已处理：{answer}感谢您的监督。"


def _share(pk: int, salt: int) -> float:
    return ((pk * 2654435761 + salt * 40503) % 4294967296) / 4294967296


class _Plan:
    """One follow-up and its events, built in memory from the rating."""

    def __init__(self, rating: Rating, owner_id, fix_days: int, cal, today, now, tz):
        self.events: list[tuple] = []
        self.cal, self.today, self.now, self.tz = cal, today, now, tz
        pk = rating.pk
        rated_day = timezone.localdate(rating.rated_at, tz)
        cb_due = cal.add_working_days(rated_day, CALLBACK_DAYS).value
        fu = FollowUp(
            rating_id=pk,
            hall_id=rating.hall_id,
            case_id=rating.case_id,
            owner_id=owner_id,
            opened_at=rating.rated_at,
            callback_due=cb_due,
            state=S.OPEN,
        )
        self.fu = fu
        self.add("open", "", S.OPEN, rating.rated_at, "", None, {"rating": pk})
        wait = _share(pk, 11)
        if cb_due > today or cb_due == today and wait < 0.5:
            return  # to call back
        if cb_due < today and wait < 0.25 and self.days(cb_due) <= 2:
            return  # to call back, overdue
        # Called back on the due day (a few on the rating's day itself).
        cb_day = rated_day if _share(pk, 12) < 0.3 else cb_due
        cb_at = self.at(cb_day, 9 + int(_share(pk, 13) * 7))
        if cb_at <= rating.rated_at:  # rated late in the day: called back on the due day
            cb_day, cb_at = cb_due, self.at(cb_due, 10)
        fu.called_back_at = cb_at
        fu.callback_note = CALLBACK_NOTES[int(_share(pk, 14) * len(CALLBACK_NOTES))]
        self.step("call_back", S.CALLED_BACK, cb_at, fu.callback_note)
        if self.days(cb_day) <= 1 and _share(pk, 15) < 0.6:
            return  # called back today or yesterday, outcome not yet chosen
        pick = _share(pk, 16)
        if pick < 0.4:
            answered_at = self.fix_by(cb_day, fix_days)
        elif pick < 0.65:
            answered_at = self.answer(OUT.FIXED_NOW, cb_at + dt.timedelta(hours=1), "fix_now")
        elif pick < 0.9:
            answered_at = self.answer(OUT.EXPLAINED, self.at(self.next(cb_day, 1), 11), "explain")
        else:
            answered_at = self.appeal(cb_day)
        if answered_at is None:
            return
        report_day = self.next(timezone.localdate(answered_at, tz), 1)
        if report_day > today or report_day == today and _share(pk, 17) < 0.5:
            return  # answered, the report back still to write
        fu.report_text = REPORT.format(answer=fu.answer_note)
        fu.reported_at = self.at(report_day, 15)
        self.step("report_back", S.REPORTED, fu.reported_at, fu.report_text)
        rerate_at = fu.reported_at + dt.timedelta(hours=2 + int(_share(pk, 18) * 48))
        if rerate_at <= now and _share(pk, 19) < 0.6:
            draw = _share(pk, 20)
            fu.rerate_level = (
                Level.VERY_SATISFIED if draw < 0.45 else Level.SATISFIED if draw < 0.75
                else Level.BASICALLY_SATISFIED if draw < 0.92 else Level.DISSATISFIED
            )  # fmt: skip
            fu.rerated_at = rerate_at
            self.step("rerate", S.RERATED, rerate_at, "", None, {"level": fu.rerate_level})

    # -- helpers

    def days(self, day: dt.date) -> int:
        """Working days from `day` to today."""
        return self.cal.working_days_between(day, self.today).value

    def next(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_working_days(day, n).value

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return min(dt.datetime.combine(day, dt.time(hour), tzinfo=self.tz), self.now)

    def add(self, action, from_state, to_state, at, note, actor_id, data=None):
        self.events.append((action, from_state, to_state, at, note, actor_id, data or {}))

    def step(self, action, to_state, at, note, actor=..., data=None):
        actor_id = self.fu.owner_id if actor is ... else actor
        self.add(action, self.fu.state, to_state, at, note, actor_id, data)
        self.fu.state = to_state

    def answer(self, outcome, at, action) -> dt.datetime | None:
        if at > self.now:
            return None
        fu = self.fu
        fu.outcome, fu.answer_note, fu.answered_at = outcome, ANSWERS[outcome], at
        self.step(action, S.ANSWERED, at, fu.answer_note)
        return at

    def fix_by(self, cb_day, fix_days) -> dt.datetime | None:
        fu, pk = self.fu, self.fu.rating_id
        fu.fix_due = self.next(cb_day, fix_days)
        fu.fix_plan = FIX_PLANS[int(_share(pk, 21) * len(FIX_PLANS))]
        self.step("fix_by", S.FIXING, self.at(cb_day, 17), fu.fix_plan, ..., {
            "fix_due": fu.fix_due.isoformat()})  # fmt: skip
        if fu.fix_due >= self.today or self.days(fu.fix_due) <= 3 and _share(pk, 22) < 0.4:
            return None  # being fixed (overdue when its day has passed)
        late = _share(pk, 23) < 0.15
        done = self.next(fu.fix_due, 2) if late else self.next(cb_day, max(fix_days - 2, 1))
        if done > self.today:
            return None
        fu.outcome = OUT.FIXED_LATE if late else OUT.FIXED
        fu.answer_note, fu.answered_at = ANSWERS[fu.outcome], self.at(done, 16)
        self.step("mark_fixed", S.ANSWERED, fu.answered_at, fu.answer_note, ..., {"late": late})
        return fu.answered_at

    def appeal(self, cb_day) -> dt.datetime | None:
        fu, pk = self.fu, self.fu.rating_id
        fu.appeal_reason = "该评价针对的是法定收费标准，不属于窗口服务问题。"
        self.step("appeal", S.APPEALED, self.at(cb_day, 17), fu.appeal_reason)
        decided = self.next(cb_day, 3)
        if decided >= self.today:
            return None  # waiting for the centre
        fu.appeal_decided_at = self.at(decided, 10)
        if _share(pk, 24) < 0.6:
            fu.appeal_decision_note = "经核实，申诉成立。"
            fu.outcome, fu.answer_note = OUT.APPEAL_UPHELD, fu.appeal_decision_note
            fu.answered_at = fu.appeal_decided_at
            self.step("uphold_appeal", S.ANSWERED, fu.appeal_decided_at, fu.appeal_decision_note,
                      None)  # fmt: skip
            return fu.answered_at
        fu.appeal_decision_note = "申诉理由不充分，请向评价人说明。"
        self.step("reject_appeal", S.CALLED_BACK, fu.appeal_decided_at, fu.appeal_decision_note,
                  None)  # fmt: skip
        return self.answer(OUT.EXPLAINED, self.at(self.next(decided, 1), 11), "explain")


def load_demo_followups(stdout=None) -> int:
    """A follow-up for every bad demo rating that has none. Returns how many were added."""
    cal = get_calendar()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now, tz)
    owners, days = {}, {}
    ratings = (
        Rating.objects.bad()
        .filter(followup__isnull=True, rated_at__lte=now)
        .select_related("hall")
        .order_by("rated_at", "pk")
    )
    added = 0
    batch: list[_Plan] = []

    def flush():
        nonlocal added
        if not batch:
            return
        with transaction.atomic():
            made = FollowUp.objects.bulk_create([p.fu for p in batch])
            FollowUpEvent.objects.bulk_create(
                FollowUpEvent(
                    followup=fu,
                    action=a,
                    from_state=f,
                    to_state=t,
                    at=at,
                    note=n,
                    actor_id=actor,
                    data=d,
                )  # fmt: skip
                for fu, plan in zip(made, batch, strict=True)
                for a, f, t, at, n, actor, d in plan.events
            )
        added += len(batch)
        batch.clear()

    for rating in ratings.iterator(chunk_size=BATCH):
        if rating.hall_id not in owners:
            owner = default_owner(rating.hall)
            owners[rating.hall_id] = owner.pk if owner else None
            days[rating.hall_id] = fix_days_for(rating.hall)
        batch.append(
            _Plan(rating, owners[rating.hall_id], days[rating.hall_id], cal, today, now, tz)
        )
        if len(batch) >= BATCH:
            flush()
    flush()
    if stdout is not None:
        counts = dict(FollowUp.objects.order_by().values_list("state").annotate(n=Count("id")))
        shown = ", ".join(f"{state} {counts.get(state, 0)}" for state in S.values)
        stdout.write(f"Bad-rating follow-ups: {added} added ({shown}).")
    return added
