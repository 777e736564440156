"""Pages of the bulletins: the centre's list, editor and receipts; the halls' inbox,
reading and acknowledging; the public list and page on the portal (no personal data)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required

from . import services
from .forms import BulletinForm, MonthForm
from .models import Attachment, Bulletin, Receipt


def _apply(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _readable(user, bulletin: Bulletin) -> bool:
    if user.has_perm("bulletins.manage_bulletins"):
        return True
    return services.receipts_of(user, bulletin).exists()


# ------------------------------------------------------------------------- the centre


@permission_required("bulletins.manage_bulletins")
def bulletin_list(request):
    bulletins = Bulletin.objects.annotate(
        recipients=Count("receipts"),
        read=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
        acknowledged=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)),
    )
    return render(request, "bulletins/list.html", {"bulletins": bulletins})


@permission_required("bulletins.manage_bulletins")
def bulletin_edit(request, pk=None):
    """Write a bulletin or change a draft; "publish" saves and publishes at once."""
    bulletin = get_object_or_404(Bulletin, pk=pk) if pk else None
    if bulletin is not None and bulletin.status != Bulletin.Status.DRAFT:
        return redirect("bulletins:detail", bulletin.pk)
    initial = {}
    if bulletin is not None:
        initial = {f: getattr(bulletin, f) for f in services.FIELDS}
        initial.update(halls=list(bulletin.halls.all()), version=bulletin.version)
    form = BulletinForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uploads = data.pop("attachments")
        version = data.pop("version")
        try:
            saved = services.save_bulletin(
                actor=request.user, bulletin=bulletin, version=version, uploads=uploads,
                request=request, **data,
            )  # fmt: skip
            if request.POST.get("action") == "publish":
                services.publish_bulletin(
                    actor=request.user, bulletin=saved, version=saved.version, request=request
                )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            if request.POST.get("action") == "publish":
                messages.success(request, _("The bulletin was published."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("bulletins:detail", saved.pk)
    return render(request, "bulletins/form.html", {"form": form, "bulletin": bulletin})


@require_POST
@permission_required("bulletins.manage_bulletins")
def bulletin_publish(request, pk):
    bulletin = get_object_or_404(Bulletin, pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.publish_bulletin(
            actor=request.user, bulletin=bulletin, version=version, request=request
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The bulletin was published."))
    return redirect("bulletins:detail", bulletin.pk)


@permission_required("bulletins.manage_bulletins")
def from_report(request):
    """A draft made from a month's figures, for the centre to edit before publishing."""
    form = MonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.draft_from_report(
                actor=request.user, month_text=form.cleaned_data["month"], request=request
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("A draft was made from the month's figures: edit it."))
            return redirect("bulletins:edit", bulletin.pk)
    return render(request, "bulletins/from_report.html", {"form": form})


# ------------------------------------------------------------------------- the halls


@login_required
def inbox(request):
    """The bulletins issued to the user's halls, with their receipts."""
    user = request.user
    mine = Receipt.objects.filter(hall__in=user.hall_id_set).select_related("hall")
    bulletins = Bulletin.objects.for_halls(user.hall_id_set).prefetch_related(
        Prefetch("receipts", queryset=mine, to_attr="mine")
    )
    return render(request, "bulletins/inbox.html", {"bulletins": bulletins})


@login_required
def bulletin_detail(request, pk):
    """A bulletin. To its recipient halls the first opening is recorded as read; the
    centre sees who has read and acknowledged it."""
    bulletin = get_object_or_404(Bulletin, pk=pk)
    user = request.user
    if not _readable(user, bulletin):
        raise Http404
    mine = []
    if bulletin.status == Bulletin.Status.PUBLISHED:
        services.mark_read(actor=user, bulletin=bulletin, request=request)
        mine = list(services.receipts_of(user, bulletin))
    manager = user.has_perm("bulletins.manage_bulletins")
    receipts = (
        bulletin.receipts.select_related("hall", "read_by", "acknowledged_by") if manager else []
    )
    return render(
        request,
        "bulletins/detail.html",
        {
            "bulletin": bulletin,
            "can_manage": manager,
            "receipts": receipts,
            "mine": mine,
            "can_acknowledge": user.has_perm("bulletins.acknowledge_bulletins")
            and any(r.acknowledged_at is None for r in mine),
        },
    )


@require_POST
@permission_required("bulletins.acknowledge_bulletins")
def bulletin_acknowledge(request, pk):
    bulletin = get_object_or_404(Bulletin.objects.published(), pk=pk)
    if not services.receipts_of(request.user, bulletin).exists():
        raise Http404
    try:
        services.acknowledge(actor=request.user, bulletin=bulletin, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Acknowledged: the centre sees that your hall has it."))
    return redirect("bulletins:detail", bulletin.pk)


@login_required
def attachment(request, pk):
    item = get_object_or_404(Attachment.objects.select_related("bulletin"), pk=pk)
    if not _readable(request.user, item.bulletin):
        raise Http404
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name
    )


# ------------------------------------------------------------------------- the portal


def public_list(request):
    return render(request, "bulletins/public_list.html", {"bulletins": Bulletin.objects.public()})


def public_detail(request, key):
    bulletin = get_object_or_404(Bulletin.objects.public(), key=key)
    return render(request, "bulletins/public_detail.html", {"bulletin": bulletin})


def public_attachment(request, key, pk):
    public = Bulletin.objects.public()
    item = get_object_or_404(Attachment, pk=pk, bulletin__key=key, bulletin__in=public)
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        filename=item.original_name,
        as_attachment=False,
    )
