"""What the case page says after an action: what happened, and what comes next.

The status badge already shows the status; the message tells the clerk or handler the
dates that moved, who has the case now, and what to do or print next (for the page and
the intake screen alike).
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Case, CaseStep


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _who(user) -> str:
    return str(user) if user is not None else _("anyone of the step's role (not yet taken)")


def _next_step(case: Case) -> str:
    step = case.current_step
    if step is None:
        return ""
    return _("Next: step “%(step)s”, with %(who)s, due %(due)s.") % {
        "step": step.name,
        "who": _who(step.assignee),
        "due": _day(step.due_date),
    }


def _dates(case: Case) -> dict:
    return {"promised": _day(case.promised_due_date), "legal": _day(case.legal_due_date)}


def done_message(action: str, result, data: dict | None = None, before_step: str = "") -> str:
    """The message after ``action`` (a name of actions.ACTIONS) returned ``result`` (the
    changed case; a scan for ``attach``). ``data`` is what the form sent; ``before_step``
    the name of the step that was current before a decision."""
    data = data or {}
    if not isinstance(result, Case):
        return _("Scan attached.")
    case = result
    n = {"number": case.number}
    if action == "receive":
        return (
            _(
                "Application received as case %(number)s. Next: accept it, issue a correction "
                "notice or refuse it within 5 working days."
            )
            % n
        )
    if action == "immediate":
        return _(
            "Case %(number)s accepted and concluded: %(result)s. Next: hand the result over "
            "(deliver) and print the conclusion notice."
        ) % {**n, "result": case.get_result_display()}
    if action in ("accept", "gaps"):
        head = _(
            "Case %(number)s accepted: the time limit runs, due %(promised)s (legal limit "
            "%(legal)s). Print the acceptance receipt for the applicant."
        ) % {**n, **_dates(case)}
        if action == "gaps":
            head += " " + _("The materials to follow are due by %(day)s.") % {
                "day": _day(case.gaps_due_date)
            }
        return f"{head} {_next_step(case)}".strip()
    if action == "correction":
        return (
            _(
                "Correction notice issued for case %(number)s. Print it for the applicant; the "
                "case waits for the materials (then record them under “Materials handed in”)."
            )
            % n
        )
    if action == "refuse":
        return (
            _(
                "Case %(number)s was not accepted. Print the refusal notice for the applicant: "
                "it states the reason and the remedies."
            )
            % n
        )
    if action == "supply":
        if case.status == Case.Status.RECEIVED:
            return (
                _(
                    "Materials recorded for case %(number)s. Next: accept the application, or "
                    "issue a further notice about the papers handed in."
                )
                % n
            )
        if case.materials.filter(to_follow=True).exists():
            return _("Materials recorded for case %(number)s; some are still to follow.") % n
        return (
            _(
                "Materials recorded for case %(number)s: nothing is still to follow, so the "
                "case may be concluded once its steps are decided."
            )
            % n
        )
    if action == "decide":
        decision = data.get("decision")
        if decision == CaseStep.Decision.SEND_BACK:
            head = _("Step “%(step)s” sent back.") % {"step": before_step}
        elif decision == CaseStep.Decision.APPROVE:
            head = _("Step “%(step)s”: approved.") % {"step": before_step}
        elif decision == CaseStep.Decision.REJECT:
            head = _("Step “%(step)s”: rejected.") % {"step": before_step}
        else:
            head = _("Step “%(step)s” done.") % {"step": before_step}
        if case.current_step is not None:
            return f"{head} {_next_step(case)}"
        return (
            head
            + " "
            + _(
                "Every step is decided. Next: the window (%(who)s) concludes the case with "
                "this decision."
            )
            % {"who": _who(case.current_assignee)}
        )
    if action == "assign":
        step = case.current_step
        return _("Step “%(step)s” assigned to %(who)s.") % {
            "step": step.name if step else "",
            "who": _who(step.assignee if step else None),
        }
    if action == "extend":
        return _(
            "Extension of %(days)s working days asked for. Next: an approver of the hall "
            "decides; the due dates move only when it is approved."
        ) % {"days": data.get("days", "")}
    if action == "extension_decision":
        if data.get("approve"):
            return _(
                "Extension approved: case %(number)s is now due %(promised)s (legal limit "
                "%(legal)s). Print the extension notice for the applicant."
            ) % {**n, **_dates(case)}
        return _(
            "Extension not approved: case %(number)s stays due %(promised)s (legal limit "
            "%(legal)s)."
        ) % {**n, **_dates(case)}
    if action == "suspend":
        return _(
            "Case %(number)s suspended: the time limit stops for at most %(days)s working "
            "days. Next: resume the case when the procedure is over."
        ) % {**n, "days": data.get("max_days", "")}
    if action == "resume":
        return _(
            "Case %(number)s resumed: the time limit runs again, now due %(promised)s (legal "
            "limit %(legal)s)."
        ) % {**n, **_dates(case)}
    if action == "conclude":
        if case.status == Case.Status.CONCLUDED:
            return _(
                "Case %(number)s concluded: %(result)s. Next: print the conclusion notice "
                "and deliver the result within 10 working days."
            ) % {**n, "result": case.get_result_display()}
        return _("Case %(number)s closed: %(result)s.") % {
            **n,
            "result": case.get_result_display(),
        }
    if action == "deliver":
        return _("Result of case %(number)s delivered (%(method)s). The case is closed.") % {
            **n,
            "method": case.get_delivery_method_display(),
        }
    return _("Case %(number)s: %(status)s.") % {**n, "status": case.get_status_display()}
