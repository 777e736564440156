from datetime import datetime, time

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from onewindow.core.http import permission_required

from .display import describe
from .models import AuditEntry


@permission_required("audit.view_auditentry")
def search(request):
    """Search the audit log; a hall manager sees the rows of their halls only."""
    entries = AuditEntry.objects.visible_to(request.user).select_related("hall")
    q = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    since = request.GET.get("since", "").strip()
    until = request.GET.get("until", "").strip()
    if q:
        entries = entries.filter(
            Q(object_repr__icontains=q) | Q(object_id=q) | Q(note__icontains=q)
        )
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    tz = timezone.get_current_timezone()
    try:
        if since:
            entries = entries.filter(
                at__gte=datetime.combine(datetime.fromisoformat(since).date(), time.min, tz)
            )
        if until:
            entries = entries.filter(
                at__lte=datetime.combine(datetime.fromisoformat(until).date(), time.max, tz)
            )
    except ValueError:
        entries = entries.none()
    page = Paginator(entries.order_by("-seq"), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    describe(page.object_list)
    return render(
        request,
        "audit/search.html",
        {"page": page, "q": q, "action": action, "actor": actor, "since": since, "until": until},
    )
