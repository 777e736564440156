"""Bad-rating follow-up (差评整改): every bad rating gets one, owned by the rated hall.

The hall calls the rater back (within 1 working day of the rating), then decides: fixed
at once, fix by a due date (the hall's number of working days, default 5), explained, or
appealed to the centre (the supervision office upholds or rejects the appeal); then it
reports back to the rater, who may rate the fix once more. The original rating is never
touched: the re-rating is kept here. Each step is one row of `FollowUp.TRANSITIONS`,
recorded as an append-only `FollowUpEvent` and an audit row (services.py).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.scoping import HallScopedQuerySet
from onewindow.ratings.models import Level

#: Working days the hall has to call the rater back (docs/DOMAIN.md).
CALLBACK_DAYS = 1
#: Working days to fix, unless the hall set its own number.
DEFAULT_FIX_DAYS = 5
FIX_DAYS_MAX = 60


def new_token() -> str:
    return secrets.token_urlsafe(18)


class FollowUpQuerySet(HallScopedQuerySet):
    def open(self):
        return self.exclude(state__in=FollowUp.CLOSED_STATES)

    def callback_overdue(self, today):
        return self.filter(state=FollowUp.State.OPEN, callback_due__lt=today)

    def fix_overdue(self, today):
        return self.filter(state=FollowUp.State.FIXING, fix_due__lt=today)

    def overdue(self, today):
        return self.filter(
            models.Q(state=FollowUp.State.OPEN, callback_due__lt=today)
            | models.Q(state=FollowUp.State.FIXING, fix_due__lt=today)
        )


class FollowUp(models.Model):
    """The follow-up of one bad rating (level 1 or 2)."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("follow-up state", "To call back")
        CALLED_BACK = "called_back", pgettext_lazy("follow-up state", "Called back")
        FIXING = "fixing", pgettext_lazy("follow-up state", "Being fixed")
        APPEALED = "appealed", pgettext_lazy("follow-up state", "Appealed to the centre")
        ANSWERED = "answered", pgettext_lazy("follow-up state", "To report back")
        REPORTED = "reported", pgettext_lazy("follow-up state", "Reported back")
        RERATED = "rerated", pgettext_lazy("follow-up state", "Rated again")

    class Outcome(models.TextChoices):
        FIXED_NOW = "fixed_now", pgettext_lazy("follow-up outcome", "Fixed at once")
        FIXED = "fixed", pgettext_lazy("follow-up outcome", "Fixed by the due date")
        FIXED_LATE = "fixed_late", pgettext_lazy("follow-up outcome", "Fixed after the due date")
        EXPLAINED = "explained", pgettext_lazy("follow-up outcome", "Explained")
        APPEAL_UPHELD = "appeal_upheld", pgettext_lazy("follow-up outcome", "Appeal upheld")

    # The steps: action -> (states it may start from, state it leads to). One table for
    # the services, the pages (which forms to offer) and the tests.
    TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
        "call_back": (frozenset({State.OPEN}), State.CALLED_BACK),
        "fix_now": (frozenset({State.CALLED_BACK}), State.ANSWERED),
        "fix_by": (frozenset({State.CALLED_BACK}), State.FIXING),
        "mark_fixed": (frozenset({State.FIXING}), State.ANSWERED),
        "explain": (frozenset({State.CALLED_BACK}), State.ANSWERED),
        "appeal": (frozenset({State.CALLED_BACK}), State.APPEALED),
        "uphold_appeal": (frozenset({State.APPEALED}), State.ANSWERED),
        # A rejected appeal sends the hall back to choose another outcome.
        "reject_appeal": (frozenset({State.APPEALED}), State.CALLED_BACK),
        "report_back": (frozenset({State.ANSWERED}), State.REPORTED),
        "rerate": (frozenset({State.REPORTED}), State.RERATED),
        # Handing it to someone else keeps the state.
        "reassign": (
            frozenset(
                {State.OPEN, State.CALLED_BACK, State.FIXING, State.APPEALED, State.ANSWERED}
            ),
            "",
        ),
    }
    CLOSED_STATES = frozenset({State.REPORTED, State.RERATED})

    rating = models.OneToOneField(
        "ratings.Rating",
        verbose_name=_("rating"),
        on_delete=models.PROTECT,
        related_name="followup",
    )
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="followups",
        null=True,
        blank=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="followups",
        null=True,
        blank=True,
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    callback_due = models.DateField(_("call back by"))

    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    callback_note = models.TextField(_("call-back note"), blank=True)

    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    fix_due = models.DateField(_("fix by"), null=True, blank=True)
    fix_plan = models.TextField(_("what will be fixed"), blank=True)
    answer_note = models.TextField(_("what was done"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    appeal_reason = models.TextField(_("reason of the appeal"), blank=True)
    appeal_decision_note = models.TextField(_("decision on the appeal"), blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    report_text = models.TextField(_("report to the rater"), blank=True)
    reported_at = models.DateTimeField(_("reported back"), null=True, blank=True)

    rerate_level = models.PositiveSmallIntegerField(
        _("rating of the fix"), choices=Level.choices, null=True, blank=True
    )
    rerate_comment = models.TextField(_("comment on the fix"), blank=True)
    rerated_at = models.DateTimeField(_("rated again"), null=True, blank=True)

    # Where the rater reads the answer and rates the fix (`followups_public:detail`):
    # random, so a public address names no row and cannot be guessed.
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # Optimistic version: a stale form or a double submit is refused (services.lock).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("bad-rating follow-up")
        verbose_name_plural = _("bad-rating follow-ups")
        ordering = ["callback_due", "id"]
        permissions = [("decide_appeals", _("Can decide appeals against bad ratings"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rerate_level__isnull=True)
                | models.Q(rerate_level__gte=1, rerate_level__lte=5),
                name="followup_rerate_level_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "callback_due"], name="followup_state_callback"),
            models.Index(fields=["state", "fix_due"], name="followup_state_fix"),
            models.Index(fields=["hall", "state"], name="followup_hall_state"),
        ]

    def __str__(self) -> str:
        return f"差评整改 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state not in self.CLOSED_STATES

    def allows(self, action: str) -> bool:
        sources, _target = self.TRANSITIONS[action]
        return self.state in sources

    def due_date(self):
        """The date the present step is due, or None when no step is running against one."""
        if self.state == self.State.OPEN:
            return self.callback_due
        if self.state == self.State.FIXING:
            return self.fix_due
        return None

    def is_overdue(self, today=None) -> bool:
        due = self.due_date()
        return due is not None and due < (today or timezone.localdate())


#: The steps in words (events, page titles, buttons).
ACTION_LABELS = {
    "open": pgettext_lazy("follow-up step", "Opened"),
    "call_back": pgettext_lazy("follow-up step", "Call back"),
    "fix_now": pgettext_lazy("follow-up step", "Fixed at once"),
    "fix_by": pgettext_lazy("follow-up step", "Fix by a due date"),
    "mark_fixed": pgettext_lazy("follow-up step", "The fix is done"),
    "explain": pgettext_lazy("follow-up step", "Explain"),
    "appeal": pgettext_lazy("follow-up step", "Appeal to the centre"),
    "uphold_appeal": pgettext_lazy("follow-up step", "Appeal upheld"),
    "reject_appeal": pgettext_lazy("follow-up step", "Appeal rejected"),
    "decide_appeal": pgettext_lazy("follow-up step", "Decide the appeal"),
    "report_back": pgettext_lazy("follow-up step", "Report back to the rater"),
    "rerate": pgettext_lazy("follow-up step", "Rated again"),
    "reassign": pgettext_lazy("follow-up step", "Hand over"),
}


class FollowUpEvent(models.Model):
    """Append-only history of a follow-up: one row per step."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("step"), max_length=16)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["followup", "at", "id"]
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class HallFollowUpSetting(models.Model):
    """A hall's own number of working days to fix what a bad rating found (places use 5,
    7 or 15). A hall without a row uses `DEFAULT_FIX_DAYS`."""

    hall = models.OneToOneField(
        "halls.Hall",
        verbose_name=_("hall"),
        on_delete=models.CASCADE,
        related_name="followup_setting",
    )
    fix_days = models.PositiveSmallIntegerField(
        _("working days to fix"),
        default=DEFAULT_FIX_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(FIX_DAYS_MAX)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up setting of a hall")
        verbose_name_plural = _("follow-up settings of the halls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fix_days__gte=1, fix_days__lte=FIX_DAYS_MAX),
                name="followup_fix_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall}: {self.fix_days}"
