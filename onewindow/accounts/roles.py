"""Roles are Django groups carrying permissions.

The table below is the single definition of which role may do what. Later capabilities
add their permission codenames here; `sync_roles()` brings the groups in the database in
line with it (run after every migrate). A person may hold several roles.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("Window clerk")
    HANDLER = "handler", _("Handler")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
    HALL_MANAGER = "hall_manager", _("Hall manager")
    CENTRE_ADMIN = "centre_admin", _("Centre administrator")
    SUPERVISOR = "supervisor", _("Supervision officer")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    FEE_REVIEWER = "fee_reviewer", _("Fee reviewer")
    CONDUCT_OBSERVER = "conduct_observer", _("Conduct observer")


# Roles whose holders see every hall (the centre and the supervision office).
ALL_HALL_ROLES = frozenset({Role.CENTRE_ADMIN, Role.SUPERVISOR})

# Roles that reach beyond one hall: the centre's own, supervision, and the legal and fee
# review of the whole catalogue. Only a centre administrator grants or withdraws them
# (accounts.services.grantable_roles); a hall manager grants the hall roles alone.
CENTRE_ROLES = frozenset(
    {Role.CENTRE_ADMIN, Role.SUPERVISOR, Role.LEGAL_REVIEWER, Role.FEE_REVIEWER}
)
HALL_ROLES = frozenset(Role.values) - CENTRE_ROLES

# The hall floor: window clerks and hall managers sign in at a window and call tickets.
# Complaints (投诉): the supervision office registers, assigns and closes them; hall
# managers and approvers see their halls' complaints and handle those assigned to them.
# Conduct (行风): observers record visits; the supervision office decides their findings;
# the centre keeps the code and appoints observers; conduct files are read by the office,
# the centre and hall managers (their halls' staff; everyone reads their own).
# Bad-rating follow-up (差评整改): the staff of a hall see its follow-ups, the centre and the
# supervision office every hall's; the supervision office decides the halls' appeals.
# Training (培训): hall managers record their halls' sessions and results, the centre
# every hall's and the qualification rule; the supervision office reads them.
# Floor statistics (wait and service times, staffing): hall managers for their halls, the
# centre and the supervision office for every hall.
# Joint meetings: the centre records meetings and decisions and verifies them; the owner
# hall's manager reports progress. Bulletins: the centre writes and publishes them; a
# recipient hall's manager acknowledges them.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.WINDOW_CLERK: ["cases.handle_cases", "floor.serve_queue", "followups.view_followup"],
    Role.HANDLER: ["cases.handle_cases", "followups.view_followup"],
    Role.REVIEWER: ["cases.handle_cases", "followups.view_followup"],
    Role.APPROVER: [
        "cases.handle_cases",
        "cases.approve_extensions",
        "complaints.handle_complaints",
        "followups.view_followup",
    ],
    Role.HALL_MANAGER: [
        "accounts.manage_staff",
        "halls.manage_halls",
        "audit.view_auditentry",
        "catalogue.edit_items",
        "cases.handle_cases",
        "cases.approve_extensions",
        "reports.view_reports",
        "reports.generate_reports",
        "reports.submit_reports",
        "floor.serve_queue",
        "complaints.handle_complaints",
        "conduct.view_conduct_files",
        "followups.view_followup",
        "training.view_training",
        "training.manage_training",
        "floorstats.view_floor_stats",
        "meetings.view_meetings",
        "meetings.report_progress",
        "bulletins.acknowledge_bulletins",
        "insight.view_insight",
        "assessment.view_assessment",
        "assessment.answer_findings",
    ],
    Role.CENTRE_ADMIN: [
        "accounts.manage_staff",
        "halls.manage_halls",
        "workdays.manage_calendar",
        "audit.view_auditentry",
        "catalogue.edit_items",
        "reports.view_reports",
        "reports.generate_reports",
        "reports.review_reports",
        "reports.manage_report_settings",
        "conduct.manage_code",
        "conduct.manage_observers",
        "conduct.view_conduct_files",
        "followups.view_followup",
        "training.view_training",
        "training.manage_training",
        "training.manage_rule",
        "floorstats.view_floor_stats",
        "meetings.view_meetings",
        "meetings.manage_meetings",
        "bulletins.manage_bulletins",
        "insight.view_insight",
        "assessment.view_assessment",
        "assessment.manage_assessment",
    ],
    Role.SUPERVISOR: [
        "audit.view_auditentry",
        "supervision.manage_rules",
        "supervision.decide_alerts",
        "reports.view_reports",
        "reports.review_reports",
        "complaints.manage_complaints",
        "conduct.review_findings",
        "conduct.view_conduct_files",
        "followups.view_followup",
        "followups.decide_appeals",
        "training.view_training",
        "floorstats.view_floor_stats",
        "meetings.view_meetings",
        "assessment.view_assessment",
        "assessment.manage_assessment",
    ],
    Role.LEGAL_REVIEWER: ["catalogue.review_legal"],
    Role.FEE_REVIEWER: ["catalogue.review_fees"],
    Role.CONDUCT_OBSERVER: ["conduct.record_visits"],
}


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    for code, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=code)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Each app's permissions appear in its own post_migrate; syncing after every app
    # means the groups are complete once the last app has migrated.
    sync_roles()
