"""Every change to a case goes through one of these functions: keyword-only arguments,
the acting user passed explicitly, one transaction that locks the case row, checks the
optimistic version and the transitions table, bumps the version, appends the events,
recomputes the stored deadlines, writes the audit row, and sends `signals.case_changed`
after commit. Each returns the updated Case, or raises a `CaseError` and changes nothing.
Acts reported by a department system (`cases.exchange`) go through the same functions
with their time (``at``) and an `Origin`.

    from onewindow.cases import services
    services.accept_case(actor=user, case=case, expected_version=3)
"""

from .common import (
    RESULT_FROM,
    RESULT_STATUS,
    TRANSITIONS,
    Origin,
    allowed_actions,
    eligible_for_step,
    get_case_for,
    pick_assignee,
    reveal_numbers,
    visible_cases,
)
from .errors import CaseError, InvalidInput, NotPermitted, StaleCase, TransitionNotAllowed
from .handling import (
    DEFAULT_REMEDIES,
    assign_step,
    conclude_case,
    decide_extension,
    decide_step,
    deliver_case,
    extend_case,
    may_approve_extensions,
    needs_certificate,
    pending_extension,
    record_step_elsewhere,
    request_extension,
    resume_case,
    suspend_case,
)
from .intake import (
    CORRECTION_NOTICE_DAYS,
    accept_case,
    accept_with_gaps,
    attach_scan,
    handle_immediately,
    issue_correction_notice,
    normalise_phone,
    receive_case,
    refuse_case,
    supply_correction,
    validate_applicant,
)

__all__ = [
    "CORRECTION_NOTICE_DAYS",
    "DEFAULT_REMEDIES",
    "RESULT_FROM",
    "RESULT_STATUS",
    "TRANSITIONS",
    "CaseError",
    "InvalidInput",
    "NotPermitted",
    "Origin",
    "StaleCase",
    "TransitionNotAllowed",
    "accept_case",
    "accept_with_gaps",
    "allowed_actions",
    "assign_step",
    "attach_scan",
    "conclude_case",
    "decide_extension",
    "decide_step",
    "deliver_case",
    "eligible_for_step",
    "extend_case",
    "may_approve_extensions",
    "get_case_for",
    "handle_immediately",
    "issue_correction_notice",
    "needs_certificate",
    "pending_extension",
    "normalise_phone",
    "pick_assignee",
    "receive_case",
    "record_step_elsewhere",
    "request_extension",
    "refuse_case",
    "resume_case",
    "supply_correction",
    "suspend_case",
    "validate_applicant",
    "reveal_numbers",
    "visible_cases",
]
