"""Staff pages of ratings: pairing the window tablets, and the clerk's "please rate"."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.cases.services import get_case_for
from onewindow.core.http import permission_required
from onewindow.halls.models import Window

from . import services, tablet


@permission_required("halls.manage_halls")
def tablets(request):
    """The windows of the user's halls, each with a pairing link (and its QR code) to open
    on the window's tablet; a link is valid for 15 minutes."""
    windows = Window.objects.visible_to(request.user).active().select_related("hall")
    rows = []
    for window in windows:
        url = request.build_absolute_uri(
            reverse("ratings_public:pair", args=[tablet.pairing_token(window)])
        )
        rows.append(
            {"window": window, "url": url, "qr": segno.make(url).svg_data_uri(scale=3, border=1)}
        )
    return render(request, "ratings/tablets.html", {"rows": rows})


@require_POST
@permission_required("cases.handle_cases")
def ask(request, number):
    """请评价: put the case's newest unrated act done at a window on that window's tablet."""
    case = get_case_for(request.user, number)
    try:
        services.request_rating(actor=request.user, case=case, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The service is on the window's tablet for rating."))
    return redirect("cases:detail", case.number)
