from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required

from . import services
from .forms import DepartmentForm, HallForm, WindowForm
from .models import Department, Hall, Window


@permission_required("halls.manage_halls")
def hall_list(request):
    halls = (
        Hall.objects.visible_to(request.user)
        .select_related("parent", "department")
        .annotate(
            window_count=Count("windows", distinct=True), staff_count=Count("staff", distinct=True)
        )
    )
    return render(request, "halls/hall_list.html", {"halls": halls})


@permission_required("halls.manage_halls")
def hall_detail(request, code):
    hall = get_object_or_404(Hall.objects.visible_to(request.user), code=code)
    windows = hall.windows.select_related("department")
    return render(request, "halls/hall_detail.html", {"hall": hall, "windows": windows})


@permission_required("halls.manage_halls")
def hall_edit(request, code=None):
    hall = None
    if code is not None:
        hall = get_object_or_404(Hall.objects.visible_to(request.user), code=code)
    elif not request.user.sees_all_halls:
        # A hall manager runs existing halls; opening a new hall is the centre's decision.
        raise PermissionDenied
    form = HallForm(request.POST or None, instance=hall)
    if request.method == "POST" and form.is_valid():
        saved = services.save_hall(
            actor=request.user, hall=form.save(commit=False), request=request
        )
        messages.success(request, _("Saved %(name)s.") % {"name": saved})
        return redirect("halls:detail", code=saved.code)
    return render(request, "halls/hall_form.html", {"form": form, "hall": hall})


@permission_required("halls.manage_halls")
def window_edit(request, code, number=None):
    hall = get_object_or_404(Hall.objects.visible_to(request.user), code=code)
    window = None
    if number is not None:
        window = get_object_or_404(Window, hall=hall, number=number)
    form = WindowForm(request.POST or None, instance=window, hall=hall)
    if request.method == "POST" and form.is_valid():
        saved = services.save_window(
            actor=request.user, window=form.save(commit=False), request=request
        )
        messages.success(request, _("Saved %(name)s.") % {"name": saved})
        return redirect("halls:detail", code=hall.code)
    return render(request, "halls/window_form.html", {"form": form, "hall": hall, "window": window})


@permission_required("halls.manage_halls")
def department_list(request):
    departments = Department.objects.annotate(
        window_count=Count("windows", distinct=True), staff_count=Count("staff", distinct=True)
    )
    return render(request, "halls/department_list.html", {"departments": departments})


@permission_required("halls.manage_halls")
def department_edit(request, code=None):
    # Departments are shared by every hall: only the centre may change them.
    if not request.user.sees_all_halls:
        raise PermissionDenied
    department = get_object_or_404(Department, code=code) if code is not None else None
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        saved = services.save_department(
            actor=request.user, department=form.save(commit=False), request=request
        )
        messages.success(request, _("Saved %(name)s.") % {"name": saved})
        return redirect("halls:departments")
    return render(request, "halls/department_form.html", {"form": form, "department": department})
