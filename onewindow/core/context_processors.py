from django.conf import settings
from django.utils.translation import get_language


def branding(request):
    """The city's name and emblem on every page (统一形象设计: one look for every hall)."""
    lang = get_language() or settings.LANGUAGE_CODE
    city = (
        settings.ONEWINDOW_CITY_NAME if lang.startswith("zh") else settings.ONEWINDOW_CITY_NAME_EN
    )
    return {
        "city_name": city,
        "city_emblem": settings.ONEWINDOW_EMBLEM,
    }


# The staff menu: (url name, label, test, group). A plain list; each later capability adds
# a line. Links of the "admin" group are shown under one Administration menu.
def _staff_links():
    from django.utils.translation import gettext_lazy as _

    links = [
        ("cases:workbench", _("Window"), lambda u: u.has_perm("cases.handle_cases")),
        ("cases:queue", _("My queue"), lambda u: u.has_perm("cases.handle_cases")),
        ("cases:list", _("Cases"), lambda u: u.has_perm("cases.handle_cases") or u.sees_all_halls),
        ("catalogue:list", _("Catalogue"), lambda u: True),
        (
            "supervision:desk",
            _("Supervision"),
            lambda u: u.sees_all_halls or u.has_perm("halls.manage_halls"),
        ),
        ("supervision:inbox", _("My alerts"), lambda u: True),
        ("conduct:visits", _("My visits"), lambda u: u.has_perm("conduct.record_visits")),
        (
            "conduct:findings",
            _("Observer findings"),
            lambda u: u.has_perm("conduct.review_findings"),
        ),
        (
            "complaints:desk",
            _("Complaints"),
            lambda u: (
                u.has_perm("complaints.manage_complaints")
                or u.has_perm("complaints.handle_complaints")
            ),
        ),
        ("reports:monthly", _("Monthly report"), lambda u: u.has_perm("reports.view_reports")),
        ("insight:index", _("Process insight"), lambda u: u.has_perm("insight.view_insight")),
        (
            "satisfaction:overview",
            _("Satisfaction"),
            lambda u: u.sees_all_halls or u.has_perm("halls.manage_halls"),
        ),
        ("floor:console", _("Calling"), lambda u: u.has_perm("floor.serve_queue")),
        (
            "floorstats:overview",
            _("Floor statistics"),
            lambda u: u.has_perm("floorstats.view_floor_stats"),
        ),
        (
            "followups:queue",
            _("Bad-rating follow-ups"),
            lambda u: u.has_perm("followups.view_followup"),
        ),
        ("training:sessions", _("Training"), lambda u: u.has_perm("training.view_training")),
        ("meetings:list", _("Joint meetings"), lambda u: u.has_perm("meetings.view_meetings")),
        ("bulletins:list", _("Bulletins"), lambda u: u.has_perm("bulletins.manage_bulletins")),
        (
            "bulletins:inbox",
            _("Bulletins to my hall"),
            lambda u: not u.has_perm("bulletins.manage_bulletins"),
        ),
        (
            "assessment:ranking",
            _("Assessment"),
            lambda u: u.has_perm("assessment.view_assessment"),
        ),
    ]
    admin = [
        ("halls:list", _("Halls"), lambda u: u.has_perm("halls.manage_halls")),
        ("accounts:staff_list", _("Staff"), lambda u: u.has_perm("accounts.manage_staff")),
        ("workdays:years", _("Calendar"), lambda u: True),
        ("accounts:token_list", _("API tokens"), lambda u: True),
        ("audit:search", _("Audit log"), lambda u: u.has_perm("audit.view_auditentry")),
        ("conduct:code", _("Code of conduct"), lambda u: True),
        (
            "conduct:observers",
            _("Conduct observers"),
            lambda u: u.has_perm("conduct.manage_observers"),
        ),
        (
            "conduct:my_file",
            _("My conduct file"),
            lambda u: not u.has_perm("conduct.record_visits"),
        ),
    ]
    return [(*link, "main") for link in links] + [(*link, "admin") for link in admin]


def staff_navigation(request):
    from django.urls import NoReverseMatch, reverse

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_nav": [], "admin_nav": []}
    groups = {"main": [], "admin": []}
    for name, label, allowed, group in _staff_links():
        if not allowed(user):
            continue
        try:
            groups[group].append({"url": reverse(name), "label": label})
        except NoReverseMatch:  # a capability not installed in this build
            continue
    return {"staff_nav": groups["main"], "admin_nav": groups["admin"]}
