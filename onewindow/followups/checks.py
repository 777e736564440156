"""E-supervision of the follow-ups: overdue ones are carded like overdue cases.

The checks follow the supervision app's `Check` protocol and are added to its `CHECKS`
by this app's config (`apps.py`), so supervision needs no knowledge of follow-ups. Each
check is one query over the open follow-ups past a date, leaving out those already
carded (the breach key is rule, case, follow-up, due date: a follow-up gets one card per
date, never a second one; done in time or late, it gets no new one). The follow-ups
are few, so every scan looks at all of them (the incremental scope of the scan, which
follows changed cases, does not apply here). An alert needs a case: a follow-up of a
rating without a case (a queue ticket) is not carded. The card names the follow-up's
responsible person, so it shows in their inbox.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.supervision.models import Alert
from onewindow.supervision.services.checks import Breach, Check, overdue_end

from .models import FollowUp

GRACE_LABEL = gettext_lazy("Working days past the due date before the alert (0: the day after)")


class _FollowUpOverdue(Check):
    state = ""
    date_field = ""
    threshold_label = GRACE_LABEL

    def breaches(self, rule, ctx):
        end = overdue_end(ctx.calendar, ctx.today, rule.threshold or 0)
        carded = Alert.objects.filter(
            rule_id=rule.pk,
            case_id=OuterRef("case_id"),
            subject_id=OuterRef("pk"),
            due_date=OuterRef(self.date_field),
        )
        rows = (
            FollowUp.objects.order_by()
            .filter(state=self.state, case__isnull=False, **{f"{self.date_field}__lt": end})
            .exclude(Exists(carded))
            .values_list(
                "pk", "case_id", "hall_id", "case__department_id", "owner_id", self.date_field
            )
        )
        for pk, case_id, hall_id, dept_id, owner_id, due in rows:
            yield Breach(
                case_id,
                hall_id,
                dept_id,
                owner_id,
                subject_id=pk,
                due_date=due,
                detail={
                    "followup": pk,
                    "due_date": due.isoformat(),
                    "days_overdue": ctx.working_days(due, ctx.today),
                },
            )


class CallbackOverdue(_FollowUpOverdue):
    """Yellow card: a bad rating not called back by the first working day after it."""

    code = "followup_callback_overdue"
    default_level = "yellow"
    state = FollowUp.State.OPEN
    date_field = "callback_due"

    def describe(self, detail):
        return _(
            "Bad-rating follow-up #%(id)s: the rater was to be called back by %(date)s; "
            "%(days)s working day(s) past due when raised."
        ) % {
            "id": detail.get("followup", "?"),
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_overdue", "?"),
        }


class FixOverdue(_FollowUpOverdue):
    """Yellow card: a fix promised to a rater not done by its due date."""

    code = "followup_fix_overdue"
    default_level = "yellow"
    state = FollowUp.State.FIXING
    date_field = "fix_due"

    def describe(self, detail):
        return _(
            "Bad-rating follow-up #%(id)s: the fix was due on %(date)s; %(days)s working "
            "day(s) past due when raised."
        ) % {
            "id": detail.get("followup", "?"),
            "date": detail.get("due_date", "?"),
            "days": detail.get("days_overdue", "?"),
        }


class FixLongOverdue(FixOverdue):
    """Red card: a promised fix still not done N working days after its due date."""

    code = "followup_fix_long_overdue"
    default_level = "red"


CHECKS = {check.code: check for check in (CallbackOverdue(), FixOverdue(), FixLongOverdue())}


def register() -> None:
    """Add the follow-up checks to the supervision scanner's table (from `apps.py`)."""
    from onewindow.supervision.services.checks import CHECKS as SUPERVISION_CHECKS

    SUPERVISION_CHECKS.update(CHECKS)
