"""The case actions: one table that the case page and the API both read.

For each action on an existing case (`ACTIONS`, in the order the case page shows them):
its name and label, the services.TRANSITIONS it performs, the page's form, the API's body
schema and path, the permission it needs, and the one service it calls with the keyword
arguments the validated data fills.

Both sides go the same way (`case_to_act_on`, then `perform`):

1. look the case up with `services.get_case_for` (another hall's case: 404);
2. the permission of the action, in the case's hall (`may`: 403 otherwise);
3. validate: the page through the action's form (its cleaned data), the API through
   its schema (`arguments()` of the body). Both give a dict keyed by the service's
   keyword arguments, plus ``version``; an argument it lacks keeps the service's
   default (the page has no remedies field: the statement of the law);
4. call the service with the arguments the table names, and ``expected_version``;
5. a refusal of the service is answered with `error_status` on both sides: 403 not
   permitted, 409 stale (with the current version) or not allowed in the present
   status, 400 invalid input (on the page: the form with its errors). A body that does
   not match its schema is the API's 422, a form that does not validate the page's 400.

The window's intake screen (views.workbench) applies its decision through the same
entries (`perform`), in the transaction that receives the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import sees_hall

from . import api_schemas as schemas
from . import fees, forms, services
from .models import Case

HANDLE = "cases.handle_cases"


def may_read_cases(user) -> bool:
    """Who reads cases at all, on the pages and through the API: those who handle them,
    and the centre and supervision (every hall). Others of a hall (a conduct observer, a
    reviewer of the catalogue) get 403; which cases is then `visible_to`'s answer."""
    return user.has_perm(HANDLE) or user.sees_all_halls


class Situation:
    """What the case page reads once to choose the actions it offers (`offered`)."""

    def __init__(self, user, case: Case):
        self.user = user
        self.case = case
        self.allowed = services.allowed_actions(case)

    @cached_property
    def materials(self) -> list:
        return list(self.case.materials.select_related("material"))

    @cached_property
    def pending_extension(self):
        return services.pending_extension(self.case)

    @cached_property
    def missing(self) -> list:
        """Required materials neither handed in nor promised to follow."""
        return [m for m in self.materials if m.required and not m.provided and not m.to_follow]


@dataclass(frozen=True)
class CaseAction:
    #: The key of the table and the page's URL: /staff/cases/<number>/do/<name>/.
    name: str
    #: The title of its form and button on the case page.
    label: object
    #: The name of the function in `services` it calls.
    service: str
    #: The actions of services.TRANSITIONS it performs (one of them must be allowed).
    transitions: tuple[str, ...]
    #: The page's form (forms.VersionedForm, made with ``case=``).
    form: type
    #: The API's body (api_schemas.VersionIn), None for an action of the page only.
    schema: type | None = None
    #: POST /api/v1/cases/{number}/<api_path>. Actions sharing a path share its schema,
    #: whose `variant()` tells which one a body asks for.
    api_path: str | None = None
    api_summary: str = ""
    #: The service's keyword arguments taken from the validated data.
    arguments: tuple[str, ...] = ()
    #: The data's ``version`` goes to the service as ``expected_version``.
    versioned: bool = True
    permission: str = HANDLE
    #: Further conditions for offering the action on the case page.
    offer: Callable[[Situation], bool] | None = None
    style: str = "btn-outline-secondary"
    #: Shown in the column of actions (the scan form sits with the materials).
    in_panel: bool = True
    #: Where the page goes after the action, and what it says when the service returns
    #: no case (else: the case's number and status).
    anchor: str = ""
    done: object = None

    @property
    def function(self) -> Callable:
        return getattr(services, self.service)

    def make_form(self, case: Case, data=None, files=None):
        # Ids of their own: the case page shows several action forms at once.
        return self.form(
            data,
            files,
            initial={"version": case.version},
            case=case,
            auto_id=f"id_{self.name}_%s",
        )


# ---------------------------------------------------------------- offered when


def _complete(s: Situation) -> bool:
    return not s.missing


def _immediate(s: Situation) -> bool:
    return s.case.item_version.is_immediate and not s.missing


def _gaps(s: Situation) -> bool:
    """Something is missing, and every missing material may follow later (容缺)."""
    return bool(s.missing) and all(
        m.material is not None and m.material.may_follow_later for m in s.missing
    )


def _supply(s: Situation) -> bool:
    return "supply_correction" in s.allowed or any(m.to_follow for m in s.materials)


def _has_step(s: Situation) -> bool:
    return s.case.current_step is not None


def _decides(s: Situation) -> bool:
    """The step is the user's, or nobody's and the user may take it."""
    step = s.case.current_step
    if step is None:
        return False
    if step.assignee_id is not None:
        return step.assignee_id == s.user.pk
    return services.eligible_for_step(s.user, s.case, step.role)


def _no_pending_extension(s: Situation) -> bool:
    return s.pending_extension is None


def _decides_extension(s: Situation) -> bool:
    """An extension waits, and the user did not ask for it."""
    pending = s.pending_extension
    return pending is not None and pending.requested_by_id != s.user.pk


def _some_result(s: Situation) -> bool:
    return len(forms.conclude_results(s.case)) > 1


# ---------------------------------------------------------------- the table


ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in (
        CaseAction(
            name="immediate",
            label=_("Accept and conclude now"),
            service="handle_immediately",
            transitions=("handle_immediately",),
            form=forms.ImmediateForm,
            schema=schemas.ImmediateIn,
            api_path="immediate",
            api_summary="Handle an immediate item at once (即办)",
            arguments=("certificate_number", "fee_charged", "fee_conditions"),
            offer=_immediate,
            style="btn-success",
        ),
        CaseAction(
            name="accept",
            label=_("Accept"),
            service="accept_case",
            transitions=("accept",),
            form=forms.AcceptForm,
            schema=schemas.AcceptIn,
            api_path="accept",
            api_summary="Accept (受理), or accept with gaps (容缺受理)",
            offer=_complete,
            style="btn-danger",
        ),
        CaseAction(
            name="gaps",
            label=_("Accept with materials to follow (容缺受理)"),
            service="accept_with_gaps",
            transitions=("accept_with_gaps",),
            form=forms.GapsForm,
            schema=schemas.AcceptIn,  # POST …/accept with "gaps"
            api_path="accept",
            arguments=("missing_material_ids", "gaps_due_date", "promise"),
            offer=_gaps,
        ),
        CaseAction(
            name="correction",
            label=_("Correction notice (一次性告知)"),
            service="issue_correction_notice",
            transitions=("issue_correction",),
            form=forms.CorrectionForm,
            schema=schemas.CorrectionIn,
            api_path="correction",
            api_summary="Issue a one-time correction notice (一次性告知)",
            arguments=("items",),
        ),
        CaseAction(
            name="refuse",
            label=_("Refuse (不予受理)"),
            service="refuse_case",
            transitions=("refuse",),
            form=forms.RefuseForm,
            schema=schemas.RefuseIn,
            api_path="refuse",
            api_summary="Refuse at intake (不予受理)",
            arguments=("reason",),
        ),
        CaseAction(
            name="supply",
            label=_("Materials handed in"),
            service="supply_correction",
            transitions=("supply_correction", "supply_gaps"),
            form=forms.SupplyForm,
            schema=schemas.SupplyIn,
            api_path="supply",
            api_summary="Record the missing materials or the materials to follow",
            arguments=("provided_material_ids",),
            offer=_supply,
        ),
        CaseAction(
            name="decide",
            label=_("Decide the step"),
            service="decide_step",
            transitions=("decide_step",),
            form=forms.DecideForm,
            schema=schemas.DecisionIn,
            api_path="step/decision",
            api_summary="Decide the current step (pass, approve, reject, send back)",
            arguments=("decision", "opinion", "send_back_to"),
            offer=_decides,
            style="btn-danger",
        ),
        CaseAction(
            name="assign",
            label=_("Assign the step"),
            service="assign_step",
            transitions=("assign_step",),
            form=forms.AssignForm,
            schema=schemas.AssignIn,
            api_path="step/assign",
            api_summary="Assign the current step",
            arguments=("assignee",),
            offer=_has_step,
        ),
        CaseAction(
            name="extend",
            label=_("Ask for an extension (A-type special procedure)"),
            service="request_extension",
            transitions=("request_extension",),
            form=forms.ExtendForm,
            schema=schemas.ExtendIn,
            api_path="extend",
            api_summary="Ask for an extension (A-type special procedure), for an approver",
            arguments=("days", "reason"),
            offer=_no_pending_extension,
        ),
        CaseAction(
            name="extension_decision",
            label=_("Decide on the extension asked for"),
            service="decide_extension",
            transitions=("decide_extension",),
            form=forms.ExtensionDecisionForm,
            schema=schemas.ExtensionDecisionIn,
            api_path="extension/decision",
            api_summary="Approve or refuse the extension asked for",
            arguments=("approve", "note"),
            permission="cases.approve_extensions",
            offer=_decides_extension,
            style="btn-danger",
        ),
        CaseAction(
            name="suspend",
            label=_("Suspension (B-type special procedure)"),
            service="suspend_case",
            transitions=("suspend",),
            form=forms.SuspendForm,
            schema=schemas.SuspendIn,
            api_path="suspend",
            api_summary="Suspend (B-type special procedure: the clock stops)",
            arguments=("kind", "reason", "max_days"),
        ),
        CaseAction(
            name="resume",
            label=_("Resume"),
            service="resume_case",
            transitions=("resume",),
            form=forms.ResumeForm,
            schema=schemas.VersionIn,
            api_path="resume",
            api_summary="Resume a suspended case",
        ),
        CaseAction(
            name="conclude",
            label=_("Conclude"),
            service="conclude_case",
            transitions=("conclude",),
            form=forms.ConcludeForm,
            schema=schemas.ConcludeIn,
            api_path="conclude",
            api_summary="Conclude (办结) with a result",
            arguments=(
                "result",
                "reason",
                "remedies",
                "certificate_number",
                "certificate_valid_until",
                "fee_charged",
                "fee_conditions",
            ),
            offer=_some_result,
            style="btn-danger",
        ),
        CaseAction(
            name="deliver",
            label=_("Deliver the result"),
            service="deliver_case",
            transitions=("deliver",),
            form=forms.DeliverForm,
            schema=schemas.DeliverIn,
            api_path="deliver",
            api_summary="Deliver the result (送达)",
            arguments=("method",),
            style="btn-danger",
        ),
        CaseAction(
            name="attach",
            label=_("Attach"),
            service="attach_scan",
            transitions=("attach",),
            form=forms.AttachForm,
            arguments=("upload", "material_id"),
            versioned=False,
            in_panel=False,
            anchor="#attachments",
            done=_("Scan attached."),
        ),
    )
}


#: Actions of the transitions table that no person starts from the page or the API:
#: an extension approved in a department system (the exchange) and the dates counted
#: again after a calendar year is entered (the worker).
NOT_OFFERED = {"extend", "recompute_clock"}


def api_paths() -> dict[str, list[CaseAction]]:
    """The API's action paths, each with the actions it serves (in the table's order;
    a body of a path that serves several names its action with `variant()`)."""
    paths: dict[str, list[CaseAction]] = {}
    for action in ACTIONS.values():
        if action.api_path:
            paths.setdefault(action.api_path, []).append(action)
    return paths


# ---------------------------------------------------------------- one path


def may(user, action: CaseAction, case: Case) -> bool:
    """The user holds the action's permission and works in the case's hall (the
    services check the same, and the finer rules: whose step, which approver)."""
    return user.has_perm(action.permission) and sees_hall(user, case.hall_id)


def case_to_act_on(user, number: str, action: CaseAction, *, bare: bool = False) -> Case:
    """The case behind the number if the user sees it (Http404 otherwise, exactly as
    for an unknown number), and may do the action there (NotPermitted otherwise).

    ``bare``: only the case's key and hall, for a caller that shows nothing of it before
    the service (which reads and locks the whole case itself), as the API."""
    if bare:
        found = services.visible_cases(user).filter(number=number).only("pk", "hall_id").first()
        if found is None:
            raise Http404("no such case")
        case = found
    else:
        case = services.get_case_for(user, number)
    if not may(user, action, case):
        raise services.NotPermitted()
    return case


def perform(action: CaseAction, *, actor, case: Case, data: dict, request=None, window=None):
    """Call the action's service with the validated ``data`` (keyed by its keyword
    arguments, and ``version``) and the window the act happens at (None: not at a
    window). Returns what the service returns: the changed case (a scan for `attach`)."""
    kwargs = {name: data[name] for name in action.arguments if name in data}
    if action.versioned:
        kwargs["expected_version"] = data.get("version")
    return action.function(actor=actor, case=case, request=request, window=window, **kwargs)


def error_status(exc: services.CaseError) -> int:
    """The HTTP status of a service's refusal, the same for the page and the API."""
    if isinstance(exc, services.NotPermitted):
        return 403
    if isinstance(exc, services.StaleCase | services.TransitionNotAllowed):
        return 409
    if isinstance(exc, fees.FeeConditionRefused):
        return 422  # a condition the item does not publish: the request cannot be processed
    return 400


def offered(user, case: Case) -> list[CaseAction]:
    """The actions the case page offers this user on the case in its present state: the
    transitions table allows one of their transitions, the user may do them there, and
    their own condition holds."""
    situation = Situation(user, case)
    return [
        action
        for action in ACTIONS.values()
        if situation.allowed.intersection(action.transitions)
        and may(user, action, case)
        and (action.offer is None or action.offer(situation))
    ]
