"""Staff pages of the catalogue: list, item history, draft editor, review queues, exchange."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required

from . import services
from .exchange import ImportFileError, ImportRowsError, export_workbook, import_workbook
from .filters import ItemFilterForm
from .forms import (
    FeeFormSet,
    ImportForm,
    ItemForm,
    MaterialFormSet,
    ReviewForm,
    StepFormSet,
    VersionForm,
    formset_rows,
)
from .models import ItemVersion, ReviewRecord, ServiceItem
from .statistics import catalogue_statistics

Status = ItemVersion.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _item_for(user, code: str) -> ServiceItem:
    """The item, if the user may see it (another hall's item is a 404)."""
    return get_object_or_404(
        ServiceItem.objects.visible_to(user).select_related(
            "department", "published_version", "latest_version"
        ),
        implementation_code=code,
    )


def _version_for(user, code: str, number: int) -> ItemVersion:
    item = _item_for(user, code)
    return get_object_or_404(item.versions.select_related("item__department"), number=number)


@login_required
def item_list(request):
    form = ItemFilterForm(request.GET or None, staff=True)
    versions = (
        form.to_filter()
        .apply(ItemVersion.objects.visible_to(request.user).newest())
        .select_related("item__department", "item__published_version")
        .prefetch_related("halls")
        .order_by("item__implementation_code")
    )
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/item_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def item_detail(request, code):
    item = _item_for(request.user, code)
    versions = list(
        item.versions.prefetch_related(
            Prefetch(
                "reviews",
                queryset=ReviewRecord.objects.select_related("reviewer").order_by("at", "id"),
            )
        )
    )
    shown = item.latest_version or (versions[0] if versions else None)
    number = request.GET.get("v")
    if number and number.isdigit():
        shown = next((v for v in versions if v.number == int(number)), shown)
    user = request.user
    can_edit = user.has_perm("catalogue.edit_items")
    own = shown is not None and services.authored_by(shown, user)
    context = {
        "item": item,
        "versions": versions,
        "shown": shown,
        "can_edit": can_edit,
        # Nobody reviews a version they drafted (services.authored_by).
        "can_review_legal": user.has_perm("catalogue.review_legal")
        and shown is not None
        and shown.status == Status.LEGAL_REVIEW
        and not own,
        "can_review_fees": user.has_perm("catalogue.review_fees")
        and shown is not None
        and shown.status == Status.FEE_REVIEW
        and not own,
        "has_open": any(v.is_open for v in versions),
    }
    return render(request, "catalogue/item_detail.html", context)


def _formsets(request, version: ItemVersion):
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    return {
        "materials": MaterialFormSet(data, files, instance=version, prefix="materials"),
        "steps": StepFormSet(data, files, instance=version, prefix="steps"),
        "fees": FeeFormSet(data, files, instance=version, prefix="fees"),
    }


def _show_errors(exc: ValidationError, forms, part_errors: dict) -> None:
    """Put a service's errors next to the fields they concern."""
    if not hasattr(exc, "error_dict"):
        forms[0].add_error(None, exc.messages)
        return
    for key, msgs in exc.message_dict.items():
        if key in ("materials", "steps", "fees"):
            part_errors.setdefault(key, []).extend(msgs)
            continue
        for form in forms:
            if form is not None and key in form.fields:
                form.add_error(key, msgs)
                break
        else:
            forms[0].add_error(None, msgs)


@permission_required("catalogue.edit_items")
def item_create(request):
    return _editor(request, item=None, version=None)


@permission_required("catalogue.edit_items")
def draft_edit(request, code):
    item = _item_for(request.user, code)
    version = item.latest_version
    if version is None or not version.is_editable:
        messages.error(request, _("There is no draft of this item to edit."))
        return redirect("catalogue:detail", code=item.implementation_code)
    return _editor(request, item=item, version=version)


def _editor(request, *, item, version):
    posted = request.method == "POST"
    item_form = ItemForm(request.POST if posted else None, prefix="item") if item is None else None
    form = VersionForm(
        request.POST if posted else None, instance=version or ItemVersion(), prefix="v"
    )
    formsets = _formsets(request, version or ItemVersion())
    part_errors: dict[str, list] = {}
    if posted:
        forms_ok = form.is_valid() and (item_form is None or item_form.is_valid())
        sets_ok = all(fs.is_valid() for fs in formsets.values())
        if forms_ok and sets_ok:
            content = form.content(
                formset_rows(formsets["materials"], services.MATERIAL_FIELDS),
                formset_rows(formsets["steps"], services.STEP_FIELDS),
                formset_rows(formsets["fees"], services.FEE_FIELDS),
            )
            try:
                if item is None:
                    saved = services.create_item(
                        actor=request.user,
                        implementation_code=item_form.cleaned_data["implementation_code"],
                        catalogue_code=item_form.cleaned_data["catalogue_code"],
                        department=item_form.cleaned_data["department"],
                        content=content,
                        request=request,
                    )
                else:
                    saved = services.save_draft(
                        actor=request.user, version=version, content=content, request=request
                    )
                if "submit" in request.POST:
                    services.submit_for_review(actor=request.user, version=saved, request=request)
            except ValidationError as exc:
                _show_errors(exc, [form, item_form], part_errors)
            else:
                if "submit" in request.POST:
                    messages.success(request, _("Saved and submitted for legal review."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("catalogue:detail", code=saved.item.implementation_code)
    return render(
        request,
        "catalogue/draft_form.html",
        {
            "item": item,
            "version": version,
            "item_form": item_form,
            "form": form,
            "formsets": formsets,
            "part_errors": part_errors,
        },
    )


def _act(request, code, number, action, done_message):
    version = _version_for(request.user, code, number)
    try:
        action(actor=request.user, version=version, request=request)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, done_message)
    return redirect("catalogue:detail", code=code)


@require_POST
@permission_required("catalogue.edit_items")
def version_submit(request, code, number):
    return _act(request, code, number, services.submit_for_review, _("Submitted for legal review."))


@require_POST
@permission_required("catalogue.edit_items")
def version_publish(request, code, number):
    return _act(
        request, code, number, services.publish, _("Published: this version is now in force.")
    )


@require_POST
@permission_required("catalogue.edit_items")
def new_draft(request, code):
    item = _item_for(request.user, code)
    try:
        services.new_draft_from_published(actor=request.user, item=item, request=request)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("catalogue:detail", code=code)
    messages.success(request, _("A new draft was started; the published version stays in force."))
    return redirect("catalogue:edit", code=code)


@login_required
def version_review(request, code, number):
    """Legal or fee review of one version, depending on where it stands."""
    version = _version_for(request.user, code, number)
    if version.status == Status.LEGAL_REVIEW:
        perm, action, stage = "catalogue.review_legal", services.legal_review, "legal"
    elif version.status == Status.FEE_REVIEW:
        perm, action, stage = "catalogue.review_fees", services.fee_review, "fee"
    else:
        if not (
            request.user.has_perm("catalogue.review_legal")
            or request.user.has_perm("catalogue.review_fees")
        ):
            raise PermissionDenied
        messages.info(request, _("This version is not waiting for a review."))
        return redirect("catalogue:detail", code=code)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        passed = form.cleaned_data["decision"] == "pass"
        try:
            action(
                actor=request.user,
                version=version,
                passed=passed,
                opinion=form.cleaned_data["opinion"],
                request=request,
            )
        except ValidationError as exc:
            _show_errors(exc, [form], {})
        else:
            messages.success(request, _("Passed.") if passed else _("Returned with your opinion."))
            return redirect("catalogue:legal_queue" if stage == "legal" else "catalogue:fee_queue")
    version = (
        ItemVersion.objects.select_related("item__department")
        .prefetch_related("halls", "materials", "steps", "fees", "reviews__reviewer")
        .get(pk=version.pk)
    )
    previous = (
        version.item.published_version if version.item.published_version_id != version.pk else None
    )
    own = services.authored_by(version, request.user)
    return render(
        request,
        "catalogue/review_form.html",
        {"version": version, "form": form, "stage": stage, "previous": previous, "own": own},
    )


def _queue(request, status, title, template_stage):
    versions = (
        ItemVersion.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("item__department")
        .prefetch_related("halls", "fees")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "catalogue/review_queue.html",
        {"versions": versions, "title": title, "stage": template_stage},
    )


@permission_required("catalogue.review_legal")
def legal_queue(request):
    return _queue(request, Status.LEGAL_REVIEW, _("Legal review queue"), "legal")


@permission_required("catalogue.review_fees")
def fee_queue(request):
    return _queue(request, Status.FEE_REVIEW, _("Fee review queue"), "fee")


@permission_required("catalogue.edit_items")
def publish_queue(request):
    return _queue(request, Status.APPROVED, _("Approved, awaiting publication"), "publish")


@login_required
def statistics(request):
    stats = catalogue_statistics(ItemVersion.objects.published())
    labels = {
        "immediate": _("Immediate"),
        "promised": _("Promised"),
        "speed_up": _("Promised speed-up (%)"),
        "items": _("Items"),
    }
    return render(
        request,
        "catalogue/statistics.html",
        {"stats": stats, "chart": stats.chart_data(), "chart_labels": labels},
    )


@permission_required("catalogue.edit_items")
def exchange(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_workbook(
                upload, actor=request.user, request=request, filename=upload.name
            )
        except ImportFileError as exc:
            file_error = exc.message
        except ImportRowsError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _(
                    "Imported: %(created)s new items and %(updated)s changed items, submitted to "
                    "legal review; %(unchanged)s unchanged."
                )
                % {
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "unchanged": len(result.unchanged),
                },
            )
            return redirect("catalogue:exchange")
    return render(
        request,
        "catalogue/exchange.html",
        {"form": form, "problems": problems, "file_error": file_error},
    )


@permission_required("catalogue.edit_items")
def export(request):
    scope = request.GET.get("scope", "latest")
    response = HttpResponse(content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if scope == "template":
        export_workbook(response, empty=True)
        name = "catalogue-template.xlsx"
    else:
        export_workbook(response, published_only=scope == "published", user=request.user)
        name = f"catalogue-{scope}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
