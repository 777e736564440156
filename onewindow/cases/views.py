"""Staff pages of cases: the window workbench, the case page, the queue and the list.

Views are thin: they look the case up through `services.get_case_for` (another hall's
case is a 404), validate the form, call one service (the intake screen calls the few
that make up one visit, in one transaction) and answer.
"""

from __future__ import annotations

import re

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateSyntaxError, engines
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.audit.services import record
from onewindow.catalogue.models import ItemVersion, ServiceItem
from onewindow.core.http import permission_required
from onewindow.core.scoping import sees_hall
from onewindow.halls.models import Window

from . import actions, clock, documents, forms, next_steps, services
from .models import Case, CaseDocument, Extension

PAGE_SIZE = 50
QUEUE_LIMIT = 300


def _can_view(user) -> bool:
    return actions.may_read_cases(user)


def _can_act(user, case: Case) -> bool:
    return user.has_perm(actions.HANDLE) and sees_hall(user, case.hall_id)


# ------------------------------------------------------------------ workbench


def _work_halls(user):
    """The halls where the user serves at the windows."""
    return list(user.halls.all().order_by("sort_order", "code"))


def _current_hall(request, halls):
    code = request.POST.get("hall") or request.GET.get("hall")
    for hall in halls:
        if hall.code == code:
            return hall
    return halls[0] if halls else None


def _published_item(code: str, hall) -> ServiceItem:
    item = (
        ServiceItem.objects.select_related("published_version", "department")
        .filter(
            implementation_code=code,
            published_version__status=ItemVersion.Status.PUBLISHED,
            published_version__halls=hall,
        )
        .first()
    )
    if item is None:
        raise Http404("no such item in this hall")
    return item


@permission_required("cases.handle_cases")
def workbench(request):
    """The window's one screen (一窗受理): find the item, take the application, decide."""
    halls = _work_halls(request.user)
    hall = _current_hall(request, halls)
    if hall is None:
        messages.error(request, _("You belong to no hall: ask your hall manager."))
        return render(request, "cases/workbench.html", {"halls": halls}, status=403)
    code = request.POST.get("item") or request.GET.get("item")
    q = (request.GET.get("q") or "").strip()
    context = {
        "halls": halls,
        "hall": hall,
        "search": forms.ItemSearchForm(request.GET or None),
        "search_results": _search_versions(hall, q) if q else [],
    }
    if not code:
        return render(request, "cases/workbench.html", context)
    item = _published_item(code, hall)
    version = item.published_version
    initial = {"window": _last_window(request, hall)}
    if request.method == "GET":
        initial.update(_take_prefill(request, hall))
    form = forms.IntakeForm(
        request.POST or None,
        request.FILES or None,
        version=version,
        hall=hall,
        initial=initial,
    )
    context.update(item=item, version=version, form=form, fees=form.fee_lines)
    if request.method == "POST":
        if form.is_valid():
            case = _intake(request, form, hall, item)
            if case is not None:
                _drop_held_scans(request, form)
                return redirect(reverse("cases:detail", args=[case.number]) + "#documents")
        else:
            messages.error(request, _form_problems(form))
        context["held"] = _hold_scans(request, form)
        return render(request, "cases/workbench.html", context, status=400)
    return render(request, "cases/workbench.html", context)


# What a page above cases (the hall floor's "start case" from a called ticket) already
# knows of the next applicant of a hall: {"hall": code, "window": pk, "intake_key": key,
# "applicant_id_number": number}. Taken once, by the next intake form of that hall (the
# key then links the case to where it came from; a second form gets a fresh key).
INTAKE_PREFILL = "cases:intake-prefill"
PREFILLED = ("window", "intake_key", "applicant_id_number")


def _take_prefill(request, hall) -> dict:
    prefill = request.session.get(INTAKE_PREFILL)
    if not isinstance(prefill, dict) or prefill.get("hall") != hall.code:
        return {}
    del request.session[INTAKE_PREFILL]
    return {k: prefill[k] for k in PREFILLED if prefill.get(k)}


# Scans of a refused intake form that were fine, kept until the form is sent again (a
# browser cannot put a chosen file back into the form it shows again): per intake key,
# material id → the stored file and its name.
HELD_SCANS = "cases:held-scans"
HELD_DIR = "intake-held"


def _held_key(form) -> str | None:
    key = form.data.get("intake_key", "")
    return key if re.fullmatch(r"[0-9a-f]{32}", key) else None


def _held_scans(request, form) -> dict[str, dict]:
    key = _held_key(form)
    return dict(request.session.get(HELD_SCANS, {}).get(key, {})) if key else {}


def _hold_scans(request, form) -> dict[int, str]:
    """Keep the scans of this refused form that passed their check (and those kept
    before, unless a new one replaces them); answer material id → file name."""
    key = _held_key(form)
    if key is None:
        return {}
    held = _held_scans(request, form)
    cleaned = getattr(form, "cleaned_data", {})
    for material in form.materials:
        name = f"scan_{material.pk}"
        upload = cleaned.get(name) if name not in form.errors else None
        if not upload:
            continue
        old = held.pop(str(material.pk), None)
        if old:
            default_storage.delete(old["path"])
        path = default_storage.save(f"{HELD_DIR}/{key}/{material.pk}-{upload.name}", upload)
        held[str(material.pk)] = {"path": path, "name": upload.name}
    everything = request.session.get(HELD_SCANS, {})
    everything[key] = held
    request.session[HELD_SCANS] = everything
    return {int(pk): h["name"] for pk, h in held.items()}


def _drop_held_scans(request, form) -> None:
    key = _held_key(form)
    everything = request.session.get(HELD_SCANS, {})
    for held in everything.pop(key, {}).values() if key else ():
        default_storage.delete(held["path"])
    request.session[HELD_SCANS] = everything


def _scans(request, form) -> list[tuple[int, object]]:
    """The scans to attach: those chosen now, and for the other materials those kept
    from an earlier refusal of the same form."""
    scans = form.scans()
    chosen = {pk for pk, _upload in scans}
    for pk, held in _held_scans(request, form).items():
        if int(pk) not in chosen and default_storage.exists(held["path"]):
            scans.append((int(pk), File(default_storage.open(held["path"]), name=held["name"])))
    return scans


def _form_problems(form) -> str:
    """The message above a refused form: each field to correct, by its label, with what
    is wrong with it (and any problem of the form as a whole)."""
    problems = [
        _("%(field)s: %(problem)s") % {"field": form.fields[name].label or name, "problem": e}
        for name, errors in form.errors.items()
        if name in form.fields
        for e in list(errors)[:1]
    ]
    problems += [str(e) for e in form.non_field_errors()]
    return _("Nothing was saved. Please correct: %(problems)s") % {
        "problems": _("; ").join(problems)
    }


def _acting_window(request, hall_id: int):
    """The window the user works at in the hall (the one last used on the intake screen),
    or None for work done away from the windows (handling, review, approval)."""
    pk = request.session.get(f"cases:window:{hall_id}")
    if pk is None:
        return None
    return Window.objects.filter(pk=pk, hall_id=hall_id, is_active=True).first()


def _last_window(request, hall):
    """The window this clerk used last in the hall, or the hall's only window."""
    windows = list(hall.windows.filter(is_active=True).values_list("pk", flat=True))
    remembered = request.session.get(f"cases:window:{hall.pk}")
    if remembered in windows:
        return remembered
    return windows[0] if len(windows) == 1 else None


def _intake(request, form: forms.IntakeForm, hall, item) -> Case | None:
    """Receive the application and apply the chosen decision, all or nothing."""
    data = form.cleaned_data
    action = request.POST.get("action", "receive")
    if action not in forms.IntakeForm.ACTIONS:
        action = "receive"
    # Intake keys are the hall's own (unique per hall): another hall's key is unused here.
    existing = Case.objects.filter(hall=hall, intake_key=data["intake_key"]).first()
    if existing is not None:
        messages.warning(
            request, _("This form was sent twice: the application was received once, here it is.")
        )
        return existing
    user = request.user
    try:
        with transaction.atomic():
            case = services.receive_case(
                actor=user,
                hall=hall,
                item=item,
                applicant_kind=data["applicant_kind"],
                applicant_name=data["applicant_name"],
                applicant_id_number=data["applicant_id_number"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                window=data["window"],
                provided_material_ids=data["provided"],
                intake_key=data["intake_key"],
                request=request,
            )
            for material_id, upload in _scans(request, form):
                services.attach_scan(
                    actor=user, case=case, upload=upload, material_id=material_id, request=request
                )
            if action != "receive":
                case = actions.perform(
                    actions.ACTIONS[action],
                    actor=user,
                    case=case,
                    data=form.decision_data(action),
                    request=request,
                    window=data["window"],
                )
            if action == "immediate" and data["hand_over"]:
                case = services.deliver_case(
                    actor=user,
                    case=case,
                    method=Case.DeliveryMethod.WINDOW,
                    request=request,
                    window=data["window"],
                )
    except services.InvalidInput as exc:
        forms.add_service_errors(form, exc.errors)
        messages.error(request, _("Nothing was saved: %(problem)s") % {"problem": exc.message})
        return None
    except services.NotPermitted:
        raise PermissionDenied from None
    except services.CaseError as exc:
        messages.error(request, _("Nothing was saved: %(problem)s") % {"problem": exc.message})
        return None
    except IntegrityError:
        existing = Case.objects.filter(hall=hall, intake_key=data["intake_key"]).first()
        if existing is None:
            raise
        messages.warning(
            request, _("This form was sent twice: the application was received once, here it is.")
        )
        return existing
    if data["window"] is not None:
        request.session[f"cases:window:{hall.pk}"] = data["window"].pk
    messages.success(
        request, next_steps.done_message(action, case, form.decision_data(action) or {})
    )
    return case


@permission_required("cases.handle_cases")
def item_search(request):
    """htmx: published items of the hall matching the search."""
    halls = _work_halls(request.user)
    hall = _current_hall(request, halls)
    q = (request.GET.get("q") or "").strip()
    versions = _search_versions(hall, q) if hall is not None and q else []
    return render(request, "cases/_item_results.html", {"versions": versions, "hall": hall, "q": q})


def _search_versions(hall, q: str) -> list:
    qs = ItemVersion.objects.published().filter(halls=hall).select_related("item")
    if hasattr(qs, "search"):
        qs = qs.search(q)
    else:  # pragma: no cover - a catalogue without its search helper
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(pinyin_initials__icontains=q)
            | Q(item__implementation_code__icontains=q)
        )
    return list(qs.order_by("name")[:20])


# ------------------------------------------------------------------ case page


def supervision_cards(case: Case, request) -> str:
    """The supervision app's cards of the case (its `case_cards` tag), or nothing when
    no supervision app provides them: the case page works without it, and cases import
    nothing from the app above them."""
    try:
        template = engines["django"].from_string("{% load supervision %}{% case_cards case %}")
    except TemplateSyntaxError:
        return ""
    return template.render({"case": case, "request": request}, request)


def _detail_context(request, case: Case, bound: dict | None = None, revealed: bool = False) -> dict:
    """The case page; ``bound`` holds the form of an action that was sent and refused;
    ``revealed``: show the applicant's full numbers (asked for and audited just before)."""
    bound = bound or {}
    cal = clock.calendar()
    offered = {a.name: a for a in actions.offered(request.user, case)}
    attach = offered.pop("attach", None)
    events = list(case.events.select_related("actor").order_by("seq"))
    return {
        "case": case,
        "version": case.item_version,
        "left": clock.case_days_left(case, cal=cal),
        "legal_left": clock.days_left(
            case.legal_due_date,
            cal=cal,
            stopped_on=case.suspended_since if case.is_suspended else None,
        )
        if case.is_open
        else None,
        "steps": list(case.steps.select_related("assignee").order_by("started_at", "id")),
        "materials": list(case.materials.all()),
        "attachments": list(case.attachments.select_related("case_material", "uploaded_by")),
        "documents": list(case.documents.select_related("created_by").order_by("-created_at")),
        "printable": documents.available_kinds(case),
        "corrections": list(case.corrections.all()),
        "suspensions": list(case.suspensions.select_related("started_by")),
        "extensions": list(case.extensions.select_related("approver", "requested_by")),
        "pending_extension": services.pending_extension(case),
        "events": events,
        "actions": [
            {"action": a, "form": bound.get(a.name) or a.make_form(case)}
            for a in offered.values()
            if a.in_panel
        ],
        "can_act": _can_act(request.user, case),
        "attach_form": (bound.get("attach") or attach.make_form(case)) if attach else None,
        "supervision_cards": supervision_cards(case, request),
        "Kind": CaseDocument.Kind,
        "numbers_shown": revealed,
        "may_reveal": not revealed and case.is_handled_by(request.user),
    }


def _case_page(
    request, case: Case, *, status: int = 200, bound: dict | None = None, revealed=False
):
    return render(
        request,
        "cases/detail.html",
        _detail_context(request, case, bound, revealed),
        status=status,
    )


def _refused_key(number: str) -> str:
    return f"cases:refused-form:{number}"


def _keep_refused(request, case: Case, action: str, form) -> None:
    """Keep what was sent in a refused action form, and why it was refused, for the case
    page the browser is sent to next (Post/Redirect/Get: a reload does not post again)."""
    request.session[_refused_key(case.number)] = {
        "action": action,
        "values": {
            name: request.POST.getlist(name)
            for name in form.fields
            if name != "version" and name in request.POST
        },
        "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
    }


def _refused_form(request, case: Case) -> dict:
    """The refused action form kept for this case (at most once), as it was sent, with
    its errors, on the case as it is now (its present version)."""
    kept = request.session.pop(_refused_key(case.number), None)
    entry = actions.ACTIONS.get(kept["action"]) if kept else None
    if entry is None:
        return {}
    form = entry.make_form(case)
    for name, values in kept["values"].items():
        field = form.fields.get(name)
        if field is not None:
            multiple = isinstance(field, django_forms.MultipleChoiceField)
            form.initial[name] = values if multiple else (values[0] if values else "")
    form.cleaned_data = {}  # an unbound form takes errors once it has (empty) data
    for name, messages_ in kept["errors"].items():
        if name == NON_FIELD_ERRORS or name in form.fields:
            for message in messages_:
                form.add_error(None if name == NON_FIELD_ERRORS else name, message)
    return {entry.name: form}


@login_required
def case_detail(request, number):
    if not _can_view(request.user):
        raise PermissionDenied
    case = services.get_case_for(request.user, number)
    revealed = request.session.pop(_revealed_key(case.number), False)
    return _case_page(request, case, bound=_refused_form(request, case), revealed=revealed)


def _revealed_key(number: str) -> str:
    return f"cases:numbers-revealed:{number}"


@require_POST
@login_required
def reveal_numbers(request, number):
    """ "Show the full numbers" on the case page: for the case's handlers only, one audit
    row per view. The page the browser is sent to shows them once (a flag in the
    session, not the numbers); a reload shows them masked again."""
    if not _can_view(request.user):
        raise PermissionDenied
    case = services.get_case_for(request.user, number)
    try:
        services.reveal_numbers(actor=request.user, case=case, channel="page", request=request)
    except services.NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    request.session[_revealed_key(case.number)] = True
    return _see_other(reverse("cases:detail", args=[case.number]) + "#applicant")


@require_POST
@login_required
def case_action(request, number, action):
    """One action of the case page (actions.ACTIONS), the way the API takes it: the case
    (404 for another hall's), the permission (403), the action's form, its service.
    Whatever the answer, the browser goes back to the case page (Post/Redirect/Get):
    after a refusal the page says why, and shows the form as it was sent with its errors
    (`_keep_refused`); the API answers the same refusal with `actions.error_status`."""
    entry = actions.ACTIONS.get(action)
    if entry is None:
        raise Http404("no such action")
    try:
        case = actions.case_to_act_on(request.user, number, entry)
    except services.NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    back = reverse("cases:detail", args=[case.number])
    form = entry.make_form(case, request.POST, request.FILES)
    before_step = case.current_step.name if case.current_step else ""
    if not form.is_valid():
        if "version" in form.errors:  # a form made before the version was sent
            messages.warning(request, services.StaleCase().message)
            return _see_other(back)
        messages.error(request, _form_problems(form))
        _keep_refused(request, case, action, form)
        return _see_other(back + f"#action-{action}")
    try:
        result = actions.perform(
            entry,
            actor=request.user,
            case=case,
            data=form.cleaned_data,
            request=request,
            window=_acting_window(request, case.hall_id),
        )
    except services.NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except services.CaseError as exc:
        if isinstance(exc, services.StaleCase):
            messages.warning(request, exc.message)
            return _see_other(back)
        messages.error(request, _("Nothing was changed: %(problem)s") % {"problem": exc.message})
        if isinstance(exc, services.InvalidInput):
            forms.add_service_errors(form, exc.errors)
            _keep_refused(request, case, action, form)
            return _see_other(back + f"#action-{action}")
        return _see_other(back)
    messages.success(
        request, next_steps.done_message(action, result, form.cleaned_data, before_step)
    )
    return _see_other(back + entry.anchor)


def _see_other(url: str) -> HttpResponseRedirect:
    """Back to the case page: the browser fetches it with a GET, whatever was posted."""
    return HttpResponseRedirect(url)


@login_required
def attachment(request, number, pk):
    """A scan, to those who may see the case; every view of it is audited (personal data)."""
    if not _can_view(request.user):
        raise PermissionDenied
    case = services.get_case_for(request.user, number)
    scan = get_object_or_404(case.attachments, pk=pk)
    record(
        actor=request.user,
        action="case.scan_viewed",
        obj=case,
        hall=case.hall,
        after={"attachment": scan.pk},
        request=request,
    )
    return FileResponse(
        scan.file.open("rb"),
        content_type=scan.content_type or "application/octet-stream",
        filename=scan.original_name,
    )


@permission_required("cases.handle_cases")
def document(request, number, kind):
    """Print a notice: the PDF, kept with the case."""
    case = services.get_case_for(request.user, number)
    round_no = request.GET.get("round")
    try:
        doc = documents.print_document(
            actor=request.user,
            case=case,
            kind=kind,
            round_no=int(round_no) if round_no and round_no.isdigit() else None,
            request=request,
        )
    except services.NotPermitted:
        raise PermissionDenied from None
    except services.CaseError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", number=case.number)
    return FileResponse(
        doc.file.open("rb"),
        content_type="application/pdf",
        filename=documents.download_name(case, doc.kind, doc.round),
    )


# ------------------------------------------------------------------ queue and list


@permission_required("cases.handle_cases")
def queue(request):
    """What waits for me, the least time left first: steps assigned to me, unassigned
    steps of my role in my halls and department, results to conclude and deliver,
    applications I received that wait for missing materials, and for an approver the
    extensions asked for in my halls by someone else."""
    user = request.user
    halls = user.hall_id_set
    roles = [r for r in ("handler", "reviewer", "approver") if user.has_role(r)]
    mine = Q(current_assignee=user, status__in=(*Case.OPEN_STATUSES, Case.Status.CONCLUDED))
    unassigned = Q(
        current_assignee=None,
        status=Case.Status.ACCEPTED,
        current_step__isnull=False,
        current_step__role__in=roles,
        hall__in=halls,
        department_id=user.department_id,
    )
    intake = Q(received_by=user, status__in=Case.INTAKE_STATUSES)
    wanted = mine | unassigned | intake
    if user.has_perm("cases.approve_extensions"):
        asked = Extension.objects.filter(status=Extension.Status.REQUESTED, case__hall__in=halls)
        wanted |= Q(pk__in=asked.exclude(requested_by=user).values("case_id"))
    cases = list(Case.objects.visible_to(user).filter(wanted).for_list()[:QUEUE_LIMIT])
    cal = clock.calendar()
    for case in cases:
        case.left = clock.case_days_left(case, cal=cal)

    def order(case):
        if case.left is not None:
            return (0, case.left.value, case.received_at.timestamp())
        return (1, 0, case.received_at.timestamp())

    cases.sort(key=order)
    return render(
        request, "cases/queue.html", {"cases": cases, "truncated": len(cases) >= QUEUE_LIMIT}
    )


@login_required
def case_list(request):
    """Every case the user may see, filtered, 50 to a page (no COUNT over a large table:
    a page knows only whether there is a next one)."""
    if not _can_view(request.user):
        raise PermissionDenied
    today = clock.local_date()
    form = forms.CaseFilterForm(request.GET or None, user=request.user)
    qs = (
        form.filter(Case.objects.visible_to(request.user), today)
        .for_list()
        .order_by("-received_at", "-id")
    )
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    cal = clock.calendar()
    for case in rows:
        case.left = clock.case_days_left(case, today=today, cal=cal)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "cases": rows,
            "page": page,
            "has_next": has_next,
            "query": query.urlencode(),
            "show_hall": request.user.sees_all_halls or len(request.user.hall_id_set) > 1,
        },
    )
