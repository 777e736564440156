"""The public complaint pages: the form, the acknowledgement, following a complaint by
its number and query code, reopening it, and the letters.

A client may send a few complaints an hour and fail a few lookups (`services.too_many`,
counted in the database so the limits hold across the web processes). The public page
shows the steps with their dates, the answer and the complainant's reopen reasons;
never the internal notes, the handler or the complainant's contact details.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import client_address

from . import documents, services
from .forms import ComplaintForm, ReopenForm, apply_errors
from .models import Complaint, ComplaintStep, PublicAttempt


def client_key(request) -> str:
    """The limits' bucket: the client's address behind the trusted proxies."""
    return (client_address(request) or "unknown")[:64]


#: Steps the public sees (the internal ones are left out: findings, the handler's name).
PUBLIC_STEPS = (
    ComplaintStep.Kind.REGISTERED,
    ComplaintStep.Kind.ASSIGNED,
    ComplaintStep.Kind.INVESTIGATING,
    ComplaintStep.Kind.ANSWERED,
    ComplaintStep.Kind.CLOSED,
    ComplaintStep.Kind.REOPENED,
)


def track_url(complaint: Complaint, **extra) -> str:
    query = {"number": complaint.number, "code": complaint.query_code, **extra}
    return reverse("complaints_public:track") + "?" + urlencode(query)


def register(request):
    """The public complaint form; on success, the acknowledgement on the complaint's page."""
    form = ComplaintForm(request.POST or None)
    blocked = False
    if request.method == "POST":
        client = client_key(request)
        if services.too_many(client, PublicAttempt.Kind.REGISTER):
            blocked = True
        elif form.is_valid():
            try:
                complaint = services.register(
                    **form.service_arguments(),
                    channel=Complaint.Channel.WEB,
                    request=request,
                )
            except services.ComplaintInvalid as exc:
                apply_errors(form, exc)
            else:
                services.note_attempt(client, PublicAttempt.Kind.REGISTER)
                return redirect(track_url(complaint, new="1"))
    status = 429 if blocked else 400 if form.is_bound else 200
    return render(
        request,
        "complaints/public/register.html",
        {"form": form, "blocked": blocked},
        status=status,
    )


def _lookup(request, number: str, code: str):
    """The complaint, or None with the reason shown (not found / too many failures)."""
    client = client_key(request)
    if services.too_many(client, PublicAttempt.Kind.LOOKUP_FAILED):
        return None, "blocked"
    complaint = services.find_public(number, code)
    if complaint is None:
        services.note_attempt(client, PublicAttempt.Kind.LOOKUP_FAILED)
        return None, "not_found"
    return complaint, ""


def _render_track(request, complaint, *, form=None, error="", status=200):
    steps = complaint.steps.filter(kind__in=PUBLIC_STEPS)
    return render(
        request,
        "complaints/public/track.html",
        {
            "complaint": complaint,
            "steps": steps,
            "new": request.GET.get("new") == "1",
            "form": form
            or (
                ReopenForm(initial={"version": complaint.version})
                if complaint.can_reopen()
                else None
            ),
            "error": error,
            "letters": documents.available(complaint),
            "reopen_days": services.days()["reopen"],
        },
        status=status,
    )


def track(request):
    number = request.GET.get("number", "")
    code = request.GET.get("code", "")
    if not number and not code:
        return render(request, "complaints/public/lookup.html", {})
    complaint, problem = _lookup(request, number, code)
    if complaint is None:
        return render(
            request,
            "complaints/public/lookup.html",
            {"number": number[:20], "problem": problem},
            status=429 if problem == "blocked" else 404,
        )
    return _render_track(request, complaint)


@require_POST
def reopen(request):
    """The complainant reopens the complaint within the limit; a refusal shows the
    message with the reason as it was typed."""
    number = request.POST.get("number", "")
    code = request.POST.get("code", "")
    complaint, problem = _lookup(request, number, code)
    if complaint is None:
        return render(
            request,
            "complaints/public/lookup.html",
            {"number": number[:20], "problem": problem},
            status=429 if problem == "blocked" else 404,
        )
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_track(
            request, complaint, form=form, error=_("Reload the page and try again."), status=400
        )
    try:
        services.reopen(
            complaint=complaint,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except services.ComplaintInvalid as exc:
        apply_errors(form, exc)
        return _render_track(request, complaint, form=form, status=400)
    except services.ComplaintError as exc:
        complaint.refresh_from_db()
        return _render_track(request, complaint, form=form, error=exc.message, status=409)
    return redirect(track_url(complaint, reopened="1"))


def letter(request, kind: str):
    complaint, problem = _lookup(
        request, request.GET.get("number", ""), request.GET.get("code", "")
    )
    if complaint is None or kind not in documents.available(complaint):
        raise Http404("no such letter")
    pdf, _pages = documents.render_letter(complaint, kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{documents.download_name(complaint, kind)}"'
    )
    return response
