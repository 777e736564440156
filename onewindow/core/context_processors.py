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


# The staff menu: (url name, label, test). A plain list; each later capability adds a line.
def _staff_links():
    from django.utils.translation import gettext_lazy as _

    return [
        ("halls:list", _("Halls"), lambda u: u.has_perm("halls.manage_halls")),
        ("accounts:staff_list", _("Staff"), lambda u: u.has_perm("accounts.manage_staff")),
        ("workdays:years", _("Calendar"), lambda u: True),
        ("audit:search", _("Audit log"), lambda u: u.has_perm("audit.view_auditentry")),
    ]


def staff_navigation(request):
    from django.urls import reverse

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_nav": []}
    return {
        "staff_nav": [
            {"url": reverse(name), "label": label}
            for name, label, allowed in _staff_links()
            if allowed(user)
        ]
    }
