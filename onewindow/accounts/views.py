from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required

from . import services
from .forms import SignInForm, StaffForm
from .models import User


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@permission_required("accounts.manage_staff")
def staff_list(request):
    staff = (
        User.objects.editable_by(request.user)
        .select_related("department")
        .prefetch_related("halls", "groups")
        .order_by("username")
    )
    q = request.GET.get("q", "").strip()
    if q:
        from django.db.models import Q

        staff = staff.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return render(request, "accounts/staff_list.html", {"staff": staff, "q": q})


@permission_required("accounts.manage_staff")
def staff_edit(request, username=None):
    """Create or change a staff member. Accounts the user may not change are not found
    (404, as an unknown name); a right the user may not grant is refused (403)."""
    user = None
    if username is not None:
        user = get_object_or_404(User.objects.editable_by(request.user), username=username)
    form = StaffForm(request.POST or None, instance=user, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_staff(
                actor=request.user,
                user=form.save(commit=False),
                halls=form.cleaned_data["halls"],
                roles=form.cleaned_data["roles"],
                password=form.cleaned_data.get("password") or None,
                request=request,
            )
        except services.UnknownRole as exc:
            form.add_error("roles", _("Unknown role: %(value)s.") % {"value": exc.code})
        except services.StaffRefused as exc:
            form.add_error(exc.field, exc.message)
            context = {"form": form, "staff_member": user}
            return render(request, "accounts/staff_form.html", context, status=403)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved})
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "staff_member": user})
