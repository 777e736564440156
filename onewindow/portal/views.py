from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from onewindow.halls.models import Hall
from onewindow.workdays.services import missing_upcoming_years


def home(request):
    """The public home page: the halls and what the portal offers."""
    halls = Hall.objects.active().select_related("department").prefetch_related("opening_hours")
    return render(request, "portal/home.html", {"halls": halls})


@login_required
def staff_home(request):
    """The staff home: the user's halls and roles, and what needs attention."""
    user = request.user
    halls = Hall.objects.visible_to(user) if user.sees_all_halls else user.halls.all()
    context = {
        "my_halls": user.halls.all(),
        "scope_halls": halls,
        "roles": user.role_labels,
        "missing_years": missing_upcoming_years()
        if user.has_perm("workdays.manage_calendar")
        else [],
    }
    return render(request, "portal/staff_home.html", context)
