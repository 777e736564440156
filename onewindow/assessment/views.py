"""The assessment pages: the ranking with a chart per block, the scheme, a hall's year
(indicators with their figures, deductions and bonuses, inspections), the exports.
Views look up and validate; every write is one service call."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User
from onewindow.core.http import permission_required
from onewindow.core.scoping import sees_hall
from onewindow.halls.models import Hall

from . import exports, indicators, services
from .models import Adjustment, AssessmentScheme, Indicator, Inspection, InspectionFinding
from .services import AssessmentError

VIEW, MANAGE, ANSWER = (
    "assessment.view_assessment",
    "assessment.manage_assessment",
    "assessment.answer_findings",
)


def _year(data) -> int:
    if data.get("year"):
        return services.parse_year(data["year"])
    latest = AssessmentScheme.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


def _back(year, code=None) -> str:
    if code:
        return reverse("assessment:hall", args=[code]) + f"?year={year}"
    return reverse("assessment:ranking") + f"?year={year}"


def _chart(rows: list[dict]) -> dict:
    blocks = rows[0]["blocks"] if rows else []
    return {
        "names": [r["name"] for r in rows],
        "total": {"name": _("Total points"), "data": [r["total"] for r in rows]},
        "blocks": [
            {
                "code": b["code"],
                "name": exports.block_label(b["code"]),
                "weight": b["weight"],
                "data": [r["blocks"][n]["points"] for r in rows],
            }
            for n, b in enumerate(blocks)
        ],
    }


@permission_required(VIEW)
def ranking(request):
    context = {"can_manage": request.user.has_perm(MANAGE), "rows": [], "scheme": None}
    try:
        year = _year(request.GET)
        context["year"] = year
        scheme = AssessmentScheme.objects.filter(year=year).first()
        context["scheme"] = scheme
        if scheme is not None:
            rows = services.ranking(scheme)
            context["rows"] = rows
            context["chart"] = _chart(rows)
            context["block_labels"] = [
                exports.block_label(b["code"]) for b in (rows[0]["blocks"] if rows else [])
            ]
            context["title"] = exports.title(year)
            context["can_lock"] = (
                context["can_manage"] and not scheme.is_locked and year < timezone.localdate().year
            )
    except AssessmentError as e:
        context["error"] = str(e)
    context["years"] = list(AssessmentScheme.objects.values_list("year", flat=True))
    context["own_halls"] = set(Hall.objects.visible_to(request.user).values_list("code", flat=True))
    return render(request, "assessment/ranking.html", context)


@permission_required(VIEW)
def export(request):
    try:
        year = _year(request.GET)
        scheme = AssessmentScheme.objects.filter(year=year).first()
        if scheme is None:
            raise AssessmentError(_("There is no scheme for %(year)s.") % {"year": year})
        fmt = request.GET.get("format", "xlsx")
        if fmt not in ("xlsx", "pdf"):
            raise AssessmentError(_("Choose xlsx or pdf."))
        rows = services.ranking(scheme)
    except AssessmentError as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    if fmt == "xlsx":
        body = exports.to_xlsx(year, rows)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, _pages = exports.to_pdf(year, rows, scheme.is_locked)
        kind = "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="assessment-{year}.{fmt}"'
    return response


@permission_required(MANAGE)
def scheme(request):
    try:
        year = _year(request.POST if request.method == "POST" else request.GET)
    except AssessmentError as e:
        messages.error(request, str(e))
        return redirect("assessment:ranking")
    obj = AssessmentScheme.objects.filter(year=year).first()
    if request.method == "POST":
        if obj is None:
            raise Http404
        try:
            services.edit_scheme(actor=request.user, scheme=obj, data=request.POST, request=request)
        except AssessmentError as e:
            messages.error(request, str(e))
            return render(
                request,
                "assessment/scheme.html",
                _scheme_context(obj, year, request.POST),
                status=400,
            )
        messages.success(request, _("The scheme of %(year)s is saved.") % {"year": year})
        return redirect(reverse("assessment:scheme") + f"?year={year}")
    return render(request, "assessment/scheme.html", _scheme_context(obj, year, None))


def _scheme_context(obj, year, posted) -> dict:
    blocks = services.structure(obj) if obj else []
    rows = []
    for b, inds in blocks:
        rows.append({
            "block": b,
            "weight": posted.get(f"block-{b.pk}-weight", b.weight) if posted else b.weight,
            "indicators": [{
                "i": i,
                "weight": posted.get(f"ind-{i.pk}-weight", i.weight) if posted else i.weight,
                "name": posted.get(f"ind-{i.pk}-name", i.name) if posted else i.name,
                "method": posted.get(f"ind-{i.pk}-method", i.method) if posted else i.method,
                "source": posted.get(f"ind-{i.pk}-source", i.source) if posted else i.source,
            } for i in inds],
        })  # fmt: skip
    return {
        "year": year,
        "scheme": obj,
        "rows": rows,
        "bonus_cap": posted.get("bonus_cap") if posted else (obj.bonus_cap if obj else None),
        "problems": services.scheme_problems(blocks) if obj else [],
        "sources": [(s.code, s.label, s.rule) for s in indicators.REGISTRY.values()],
        "methods": Indicator.Method.choices,
    }


@require_POST
@permission_required(MANAGE)
def create_scheme(request):
    try:
        year = services.parse_year(request.POST.get("year", ""))
        services.create_scheme(actor=request.user, year=year, request=request)
    except AssessmentError as e:
        messages.error(request, str(e))
        return redirect("assessment:ranking")
    messages.success(request, _("The scheme of %(year)s is created.") % {"year": year})
    return redirect(reverse("assessment:scheme") + f"?year={year}")


@require_POST
@permission_required(MANAGE)
def lock(request):
    try:
        year = services.parse_year(request.POST.get("year", ""))
        obj = AssessmentScheme.objects.filter(year=year).first()
        if obj is None:
            raise AssessmentError(_("There is no scheme for %(year)s.") % {"year": year})
        services.lock_scores(actor=request.user, scheme=obj, request=request)
    except AssessmentError as e:
        messages.error(request, str(e))
        return redirect("assessment:ranking")
    messages.success(request, _("The scores of %(year)s are locked.") % {"year": year})
    return redirect(_back(year))


def _hall(request, code) -> Hall:
    hall = Hall.objects.filter(code=code, kind=Hall.Kind.SUB_CENTRE).first()
    if hall is None or not sees_hall(request.user, hall.pk):
        raise Http404
    return hall


@permission_required(VIEW)
def hall(request, code):
    hall = _hall(request, code)
    context = {"hall": hall, "can_manage": request.user.has_perm(MANAGE),
               "can_answer": request.user.has_perm(ANSWER)}  # fmt: skip
    try:
        year = _year(request.GET)
        context["year"] = year
        obj = AssessmentScheme.objects.filter(year=year).first()
        context["scheme"] = obj
        if obj is not None:
            detail = services.one_hall(obj, hall)
            for b in detail["blocks"]:
                b["label"] = exports.block_label(b["code"])
                for i in b["indicators"]:
                    source = indicators.REGISTRY.get(i["source"])
                    i["rule"] = source.rule if source else ""
            context["detail"] = detail
            context["adjustments"] = Adjustment.objects.filter(
                scheme=obj, hall=hall
            ).select_related("indicator", "inspector")
            context["indicators"] = Indicator.objects.filter(block__scheme=obj).select_related(
                "block"
            )
    except AssessmentError as e:
        context["error"] = str(e)
    context["inspections"] = (
        Inspection.objects.filter(hall=hall).prefetch_related("inspectors", "findings")
        .filter(date__year=context.get("year", timezone.localdate().year))
    )  # fmt: skip
    context["inspectors"] = (
        User.objects.filter(is_active=True, halls__kind=Hall.Kind.CENTRE)
        .distinct()
        .order_by("username")
    )
    context["today"] = timezone.localdate()
    return render(request, "assessment/hall.html", context)


@require_POST
@permission_required(MANAGE)
def adjust(request, code):
    hall = _hall(request, code)
    year = request.POST.get("year", "")
    try:
        obj = AssessmentScheme.objects.filter(year=services.parse_year(year)).first()
        if obj is None:
            raise AssessmentError(_("There is no scheme for %(year)s.") % {"year": year})
        finding = None
        if request.POST.get("finding"):
            finding = InspectionFinding.objects.filter(
                pk=request.POST["finding"] if request.POST["finding"].isdigit() else 0
            ).first()
        services.record_adjustment(
            actor=request.user, scheme=obj, hall=hall,
            indicator_id=request.POST.get("indicator", ""), kind=request.POST.get("kind", ""),
            points=request.POST.get("points", ""), reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""), upload=request.FILES.get("evidence"),
            finding=finding, request=request,
        )  # fmt: skip
    except AssessmentError as e:
        messages.error(request, str(e))
        return redirect(_back(year, hall.code))
    messages.success(request, _("Recorded."))
    return redirect(_back(year, hall.code))


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


@require_POST
@permission_required(MANAGE)
def inspect(request, code):
    hall = _hall(request, code)
    date = _date(request.POST.get("date"))
    ids = [x for x in request.POST.getlist("inspectors") if x.isdigit()]
    inspectors = User.objects.filter(pk__in=ids, is_active=True)
    texts = request.POST.getlist("finding")
    dates = request.POST.getlist("fix_by")
    findings = [(t, _date(d)) for t, d in zip(texts, dates, strict=False) if t.strip() or d]
    try:
        services.record_inspection(
            actor=request.user, hall=hall, date=date, inspectors=inspectors,
            summary=request.POST.get("summary", ""), findings=findings, request=request,
        )  # fmt: skip
    except AssessmentError as e:
        messages.error(request, str(e))
        return redirect(_back(request.POST.get("year", ""), hall.code))
    messages.success(request, _("The inspection is recorded."))
    return redirect(_back(date.year, hall.code))


@require_POST
@permission_required(VIEW)
def finding_action(request, pk, action):
    needed = ANSWER if action == "fix" else MANAGE
    if not request.user.has_perm(needed):
        return HttpResponse(status=403)
    finding = get_object_or_404(
        InspectionFinding.objects.visible_to(request.user).select_related("inspection__hall"), pk=pk
    )
    try:
        services.act_on_finding(actor=request.user, finding=finding, action=action,
                                note=request.POST.get("note", ""), request=request)  # fmt: skip
    except AssessmentError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Recorded."))
    return redirect(_back(finding.inspection.date.year, finding.inspection.hall.code))


@permission_required(VIEW)
def evidence(request, pk):
    adjustment = get_object_or_404(Adjustment.objects.visible_to(request.user), pk=pk)
    if not adjustment.evidence:
        raise Http404
    return FileResponse(adjustment.evidence.open("rb"), content_type=adjustment.evidence_type
                        or "application/octet-stream")  # fmt: skip
