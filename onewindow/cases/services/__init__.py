"""Every change to a case goes through one of these functions (STYLE.md, "Where logic
lives"): keyword-only arguments, the acting user passed explicitly, one transaction that
locks the case row, checks the optimistic version and the transitions table, bumps the
version, appends the events, recomputes the stored deadlines, writes the audit row, and
sends `signals.case_changed` after commit (`accept_case` reads and computes before its
transaction and writes only if the version is unchanged: `common.read_for_change`).
Each returns the updated Case, or raises a `CaseError` and changes nothing.

    from onewindow.cases import services
    services.accept_case(actor=user, case=case, expected_version=3)
"""

from .common import (
    RESULT_FROM,
    RESULT_STATUS,
    TRANSITIONS,
    allowed_actions,
    case_by_number,
    eligible_for_step,
    get_case_for,
    pick_assignee,
    visible_cases,
)
from .errors import CaseError, InvalidInput, NotPermitted, StaleCase, TransitionNotAllowed
from .handling import (
    DEFAULT_REMEDIES,
    assign_step,
    conclude_case,
    decide_step,
    deliver_case,
    extend_case,
    needs_certificate,
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
    "StaleCase",
    "TransitionNotAllowed",
    "accept_case",
    "accept_with_gaps",
    "allowed_actions",
    "assign_step",
    "attach_scan",
    "case_by_number",
    "conclude_case",
    "decide_step",
    "deliver_case",
    "eligible_for_step",
    "extend_case",
    "get_case_for",
    "handle_immediately",
    "issue_correction_notice",
    "needs_certificate",
    "normalise_phone",
    "pick_assignee",
    "receive_case",
    "refuse_case",
    "resume_case",
    "supply_correction",
    "suspend_case",
    "validate_applicant",
    "visible_cases",
]
