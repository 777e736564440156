from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required

from . import services
from .forms import SignInForm, StaffForm
from .models import ApiToken, User


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
        staff = staff.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    staff = list(staff)
    services.badge_staff(staff)
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


@login_required
def token_list(request):
    """API tokens: a member of staff sees their own, an administrator also those of the
    accounts they may change; each still live can be revoked from here."""
    tokens = (
        ApiToken.objects.manageable_by(request.user)
        .select_related("user")
        .order_by("user__username", "-created_at")
    )
    q = request.GET.get("q", "").strip()[:80]
    if q:
        tokens = tokens.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q) | Q(label__icontains=q)
        )
    now = timezone.now()
    rows = [(token, token.state(now)) for token in tokens]
    return render(
        request,
        "accounts/token_list.html",
        {"rows": rows, "q": q, "State": ApiToken.State},
    )


@require_POST
@login_required
def token_revoke(request, prefix):
    """Revoke one token. Tokens the user may not revoke are not found (404, as an unknown
    prefix)."""
    token = get_object_or_404(ApiToken.objects.manageable_by(request.user), prefix=prefix)
    try:
        services.revoke_api_token(actor=request.user, token=token, request=request)
    except services.TokenAlreadyRevoked:
        messages.info(request, _("Token ow_%(prefix)s… was already revoked.") % {"prefix": prefix})
    else:
        messages.success(
            request,
            _("Token ow_%(prefix)s… of %(name)s is revoked: it no longer opens the API.")
            % {"prefix": prefix, "name": token.user},
        )
    return redirect("accounts:token_list")
