"""The rating link printed as a QR code on a notice: `/rate/<token>/`, where the token is
the id of the service act the notice reports, signed (django.core.signing) under
`RATING_SALT`, so that nobody can make one for an act they were not handed. The ratings
app, above cases, checks it with the same salt; cases only makes it."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Case, CaseEvent

RATING_SALT = "onewindow.rate.act"
K = CaseEvent.Kind


def rating_token(event_id: int) -> str:
    return signing.dumps({"e": int(event_id)}, salt=RATING_SALT)


def rating_url(event_id: int) -> str:
    base = settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("ratings_public:token", args=[rating_token(event_id)])


def notice_act(case: Case, kind: str) -> CaseEvent | None:
    """The service act a notice reports, whose rating its QR code opens: the acceptance
    on a receipt or an extension notice (the conclusion, for an immediate service: its
    acceptance and conclusion are one act), the conclusion on a conclusion notice. A
    refusal or a correction notice reports no service act."""
    from .models import CaseDocument

    D = CaseDocument.Kind
    if kind in (D.RECEIPT, D.EXTENSION):
        if case.concluded_at is not None and case.concluded_at == case.accepted_at:
            kinds = (K.CONCLUDED,)
        else:
            kinds = (K.ACCEPTED, K.ACCEPTED_WITH_GAPS)
    elif kind == D.CONCLUSION:
        kinds = (K.CONCLUDED,)
    else:
        return None
    return case.events.filter(kind__in=kinds).order_by("-seq").first()
