"""The access matrix: every URL pattern and every API operation, tried by those who must
be turned away.

`PAGES`, `ADMIN_MODELS` and `API` are the explicit table: each route is either open to
anyone, or staff-only with the answer expected for an anonymous visitor (the sign-in
page, or 401 from the API), for a signed-in member of the hall without the right (403, or
404 where the route looks the object up among those the user may act on), and, for a
route that addresses an object of a hall, for someone holding the same roles in another
hall (404: another hall's object is answered as an unknown one). Each route is requested
for real with a case, a scan, an alert, an item, a hall and a user of the personas' hall
substituted into its path; a write (POST) is sent with a body the API would accept, CSRF
checks off as the test client has them, and nothing may change (audit rows, events,
versions). A route the table does not list fails `test_every_route_is_in_the_table`, and
so does an entry whose route no longer exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver

from onewindow.accounts.models import ApiToken
from onewindow.accounts.roles import Role
from onewindow.api import api
from onewindow.audit.models import AuditEntry
from onewindow.bulletins.tests.factories import make_bulletins_world
from onewindow.cases import services
from onewindow.cases.models import Attachment, Case, CaseEvent
from onewindow.cases.tests.factories import at, make_accepted_case, make_item
from onewindow.complaints.tests.factories import make_complaint
from onewindow.conduct.tests.factories import make_conduct_world
from onewindow.factories import make_user
from onewindow.followups.services import open_for
from onewindow.followups.tests.factories import make_rating
from onewindow.meetings.tests.factories import make_meetings_world
from onewindow.supervision.models import Alert, AlertEvent
from onewindow.supervision.tests.factories import make_alert
from onewindow.training.tests.factories import make_session

API_PREFIX = "api/v1/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


# ------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Open:
    """Anyone, signed in or not, gets `status` (a GET, or the route's only method)."""

    status: int = 200
    method: str = "GET"
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Staff:
    """Staff only. `allowed` names a persona who may use the route (checked with a GET
    answering 200 when `method` is GET, which also proves the path's objects exist);
    `wrong` a persona of the same hall without the right, answered `wrong_status`;
    `other_hall`: the allowed persona's roles held in another hall are answered 404
    ("hidden": the page answers 200 but does not show the case)."""

    allowed: str | None
    wrong: str
    wrong_status: int = 403
    other_hall: bool | str = False
    method: str = "GET"
    args: tuple[tuple[str, str], ...] = ()
    ok: int = 200


CASE = (("number", "case_number"),)
COMPLAINT = (("number", "complaint_number"),)

# Every page (URL pattern outside the API and the Django admin), by its route.
PAGES: dict[str, Open | Staff] = {
    # the API's own pages
    "api/v1/": Open(404),  # nothing at the root of the API: its error format
    "api/v1/openapi.json": Open(),
    "api/v1/docs": Open(),
    # public
    "": Open(),
    "healthz": Open(),
    "language/": Open(302, "POST"),
    "status/": Open(),
    "status/<str:number>/": Open(302, args=CASE),  # without its query code: to the lookup form
    "guide/": Open(),
    "guide/fees/": Open(),
    "guide/items/<str:code>/": Open(),
    "accounts/login/": Open(),
    "accounts/logout/": Open(302, "POST"),
    "i18n/setlang/": Open(302, "POST"),
    "jsi18n/": Open(),
    # staff home and accounts
    "staff/": Staff("observer", "observer", 200),
    "accounts/staff/": Staff("manager", "clerk"),
    "accounts/staff/new/": Staff("manager", "clerk"),
    "accounts/staff/<str:username>/": Staff("manager", "clerk", other_hall=True),
    # everyone lists their own tokens; a token one may not revoke is answered as unknown
    "accounts/tokens/": Staff("clerk", "clerk", 200),
    "accounts/tokens/<str:prefix>/revoke/": Staff(
        None, "clerk", 404, other_hall=True, method="POST", args=(("prefix", "token_prefix"),)
    ),
    # halls
    "staff/halls/": Staff("manager", "clerk"),
    "staff/halls/new/": Staff("admin", "clerk"),
    "staff/halls/departments/": Staff("manager", "clerk"),
    "staff/halls/departments/new/": Staff("admin", "clerk"),
    "staff/halls/departments/<str:code>/": Staff("admin", "clerk"),
    "staff/halls/<str:code>/": Staff("manager", "clerk", other_hall=True),
    "staff/halls/<str:code>/edit/": Staff("manager", "clerk", other_hall=True),
    "staff/halls/<str:code>/windows/new/": Staff("manager", "clerk", other_hall=True),
    "staff/halls/<str:code>/windows/<int:number>/": Staff(
        "manager", "clerk", other_hall=True, args=(("number", "window_number"),)
    ),
    # calendar
    "staff/calendar/": Staff("observer", "observer", 200),
    "staff/calendar/import/": Staff("admin", "manager"),
    "staff/calendar/<int:year>/": Staff("observer", "observer", 200),
    # audit
    "staff/audit/": Staff("manager", "clerk"),
    # catalogue
    "staff/catalogue/": Staff("observer", "observer", 200),
    "staff/catalogue/new/": Staff("manager", "clerk"),
    "staff/catalogue/reviews/legal/": Staff("legal", "manager"),
    "staff/catalogue/reviews/fees/": Staff("fee", "manager"),
    "staff/catalogue/reviews/publish/": Staff("admin", "clerk"),
    "staff/catalogue/statistics/": Staff("observer", "observer", 200),
    "staff/catalogue/exchange/": Staff("manager", "clerk"),
    "staff/catalogue/exchange/export/": Staff("manager", "clerk"),
    "staff/catalogue/items/<str:code>/": Staff("manager", "observer", 200, other_hall=True),
    # a published version is not edited: the editor sends to the item (a draft is needed)
    "staff/catalogue/items/<str:code>/edit/": Staff("manager", "clerk", other_hall=True, ok=302),
    "staff/catalogue/items/<str:code>/new-draft/": Staff(
        None, "clerk", other_hall=True, method="POST"
    ),
    "staff/catalogue/items/<str:code>/v<int:number>/submit/": Staff(
        None, "clerk", other_hall=True, method="POST", args=(("number", "version_number"),)
    ),
    # nobody reviews a published version; the reviewers of a draft are tried in catalogue
    "staff/catalogue/items/<str:code>/v<int:number>/review/": Staff(
        None, "clerk", other_hall=True, args=(("number", "version_number"),)
    ),
    "staff/catalogue/items/<str:code>/v<int:number>/publish/": Staff(
        None, "clerk", other_hall=True, method="POST", args=(("number", "version_number"),)
    ),
    # cases
    "staff/cases/": Staff("clerk", "legal", other_hall="hidden"),
    "staff/cases/workbench/": Staff("clerk", "observer"),
    "staff/cases/workbench/items/": Staff("clerk", "observer"),
    "staff/cases/queue/": Staff("handler", "observer", other_hall="hidden"),
    "staff/cases/<str:number>/": Staff("clerk", "legal", other_hall=True, args=CASE),
    "staff/cases/<str:number>/do/<str:action>/": Staff(
        None, "supervisor", other_hall=True, method="POST", args=CASE
    ),
    # the applicant's full numbers: the case's handlers only (the reviewer has no step yet)
    "staff/cases/<str:number>/numbers/": Staff(
        None, "reviewer", other_hall=True, method="POST", args=CASE
    ),
    "staff/cases/<str:number>/documents/<str:kind>/": Staff(
        "clerk", "observer", other_hall=True, args=CASE
    ),
    "staff/cases/<str:number>/attachments/": Staff(
        None, "supervisor", other_hall=True, method="POST", args=CASE
    ),
    "staff/cases/<str:number>/attachments/<int:pk>/": Staff(
        "handler", "legal", other_hall=True, args=(*CASE, ("pk", "scan_pk"))
    ),
    # supervision
    "staff/supervision/": Staff("supervisor", "clerk"),
    "staff/supervision/counts/": Staff("supervisor", "clerk"),
    "staff/supervision/inbox/": Staff("handler", "observer", 200, other_hall="hidden"),
    "staff/supervision/alerts/<int:pk>/": Staff(
        "handler", "legal", 404, other_hall=True, args=(("pk", "alert_pk"),)
    ),
    "staff/supervision/alerts/<int:pk>/<slug:action>/": Staff(
        None, "legal", 404, other_hall=True, method="POST", args=(("pk", "alert_pk"),)
    ),
    "staff/supervision/rules/": Staff("supervisor", "clerk"),
    "staff/supervision/rules/<slug:code>/": Staff("supervisor", "clerk"),
    # complaints: the office and the hall's complaint handlers; the public pages
    "complaints/": Open(),
    "complaints/track/": Open(),
    "complaints/track/reopen/": Open(404, "POST"),  # without number and query code
    "complaints/letters/<slug:kind>/": Open(404, args=(("kind", "letter_kind"),)),
    "staff/complaints/": Staff("supervisor", "clerk"),
    "staff/complaints/new/": Staff("supervisor", "manager"),
    "staff/complaints/<str:number>/": Staff("manager", "clerk", other_hall=True, args=COMPLAINT),
    "staff/complaints/<str:number>/do/<slug:action>/": Staff(
        None, "clerk", other_hall=True, method="POST", args=(*COMPLAINT, ("action", "step"))
    ),
    "staff/complaints/<str:number>/contact/": Staff(
        None, "approver", other_hall=True, method="POST", args=COMPLAINT
    ),
    "staff/complaints/<str:number>/letters/<slug:kind>/": Staff(
        "manager", "clerk", other_hall=True, args=(*COMPLAINT, ("kind", "letter_kind"))
    ),
    # Open311 GeoReport v2: GETs are public; a POST without a partner api_key is a 403
    "open311/v2/services.<o311fmt:fmt>": Open(),
    "open311/v2/services/<o311id:code>.<o311fmt:fmt>": Open(),
    "open311/v2/requests.<o311fmt:fmt>": Open(403, "POST"),
    "open311/v2/requests/<o311id:number>.<o311fmt:fmt>": Open(404, args=CASE),  # not a request
    "open311/v2/tokens/<o311id:token>.<o311fmt:fmt>": Open(404),
    # reports (a hall asked for by its code in the query: another hall's is refused there)
    "staff/reports/": Staff("manager", "clerk"),
    "staff/reports/monthly/export/": Staff("manager", "clerk"),
    "staff/reports/monthly/generate/": Staff(None, "clerk", method="POST"),
    # process insight: centre administrators, hall managers (their halls, by code in the query)
    "staff/insight/": Staff("manager", "clerk"),
    "staff/reports/monthly/submission/": Staff(None, "clerk", method="POST"),
    "staff/reports/review/": Staff("admin", "manager"),
    "staff/reports/review/decide/": Staff(None, "manager", method="POST"),
    "staff/reports/review/due-day/": Staff(None, "manager", method="POST"),
    "open-data/": Open(),
    # satisfaction (figures of ratings): hall managers for their halls, the centre for all
    "staff/satisfaction/": Staff("manager", "clerk"),
    "staff/satisfaction/halls/<str:code>/": Staff("manager", "clerk", other_hall=True),
    "staff/satisfaction/halls/<str:code>/windows/<int:number>/": Staff(
        "manager", "clerk", other_hall=True, args=(("number", "window_number"),)
    ),
    "staff/satisfaction/halls/<str:code>/staff/<str:username>/": Staff(
        "manager", "clerk", other_hall=True
    ),
    "figures/": Open(),
    # ratings: the tablet needs its signed window cookie; a link's token must verify; the
    # acts of a case need its query code (as the status page)
    "rate/window/": Open(403),
    "rate/window/act/": Open(403),
    "rate/pair/<str:token>/": Open(404, args=(("token", "case_number"),)),
    "rate/case/<str:number>/": Open(404, args=CASE),
    "rate/<str:token>/": Open(404, args=(("token", "case_number"),)),
    "staff/ratings/tablets/": Staff("manager", "clerk"),
    "staff/ratings/ask/<str:number>/": Staff(
        None, "observer", other_hall=True, method="POST", args=CASE
    ),
    # the hall floor: kiosk, ticket and calling screen are public; the console is a clerk's
    "floor/<str:hall_code>/kiosk/": Open(403),  # not a paired kiosk
    "floor/<str:hall_code>/display/": Open(),
    "floor/<str:hall_code>/display/live/": Open(),
    "floor/t/<str:token>/": Open(404),  # an unknown ticket (floor/tests show a real one)
    "floor/t/<str:token>/slip/": Open(404),
    "floor/console/": Staff("clerk", "observer"),
    "floor/console/<slug:action>/": Staff(None, "observer", method="POST"),
    # floor statistics: hall managers (their halls), the centre and supervision; the live
    # wait per line is public
    "staff/floor-stats/": Staff("manager", "clerk"),
    "staff/floor-stats/staffing/": Staff("manager", "clerk"),
    "floor-wait/": Open(),
    # appointments are public (the token is the confirmation's secret); the kiosk takes
    # tickets only on a paired kiosk device; hall managers pair kiosks
    "floor/<str:hall_code>/kiosk/check-in/": Open(403, "POST"),
    "floor/appointments/": Open(),
    "floor/appointments/find/": Open(),
    "floor/appointments/<str:token>/": Open(404),
    "floor/appointments/<str:token>/cancel/": Open(404, "POST"),
    "floor/kiosks/": Staff("manager", "clerk"),
    "floor/kiosks/<int:pk>/revoke/": Staff(None, "clerk", method="POST", args=(("pk", "year"),)),
    "floor/kiosks/pair/<str:token>/": Open(404),
    # conduct: the code is public; observers see their own visits, the office the findings
    "staff/conduct/code/": Open(),
    "conduct/": Open(),
    "staff/conduct/code/new/": Staff("admin", "manager"),
    "staff/conduct/code/<str:clause>/": Staff("admin", "manager"),
    "staff/conduct/observers/": Staff("admin", "manager"),
    "staff/conduct/observers/new/": Staff("admin", "manager"),
    "staff/conduct/observers/<str:observer>/": Staff("admin", "manager"),
    "staff/conduct/visits/": Staff("observer", "clerk"),
    "staff/conduct/visits/new/": Staff("observer", "clerk"),
    "staff/conduct/visits/<int:pk>/": Staff(
        "observer", "clerk", other_hall=True, args=(("pk", "visit_pk"),)
    ),
    "staff/conduct/visits/<int:pk>/findings/": Staff(
        None, "clerk", other_hall=True, method="POST", args=(("pk", "visit_pk"),)
    ),
    "staff/conduct/photos/<int:pk>/": Staff(
        "observer", "clerk", other_hall=True, args=(("pk", "photo_pk"),)
    ),
    "staff/conduct/findings/": Staff("supervisor", "manager"),
    "staff/conduct/findings/<int:pk>/": Staff(
        "supervisor", "manager", args=(("pk", "finding_pk"),)
    ),
    "staff/conduct/findings/<int:pk>/<slug:action>/": Staff(
        None, "manager", method="POST", args=(("pk", "finding_pk"),)
    ),
    "staff/conduct/my-file/": Staff("clerk", "clerk", 200),
    "staff/conduct/files/<str:username>/": Staff("manager", "clerk", other_hall=True),
    # bad-rating follow-ups (the steps: the owner or the hall manager; clerk is neither)
    "staff/followups/": Staff("clerk", "observer", other_hall="hidden"),
    "staff/followups/settings/": Staff("manager", "clerk"),
    "staff/followups/<int:pk>/": Staff(
        "clerk", "observer", other_hall=True, args=(("pk", "followup_pk"),)
    ),
    "staff/followups/<int:pk>/<slug:action>/": Staff(
        None,
        "clerk",
        other_hall=True,
        method="POST",
        args=(("pk", "followup_pk"), ("action", "followup_action")),
    ),
    "followup/<slug:token>/": Open(args=(("token", "followup_token"),)),
    # training: hall managers record their halls' sessions; the centre sets the rule
    "staff/training/": Staff("manager", "clerk"),
    "staff/training/new/": Staff("manager", "clerk"),
    "staff/training/<int:pk>/": Staff(
        "manager", "clerk", other_hall=True, args=(("pk", "training_pk"),)
    ),
    "staff/training/<int:pk>/edit/": Staff(
        "manager", "clerk", other_hall=True, args=(("pk", "training_pk"),)
    ),
    "staff/training/hours/": Staff("manager", "clerk"),
    "staff/training/unqualified/": Staff("manager", "clerk"),
    "staff/training/rule/": Staff("manager", "clerk"),
    # joint meetings: the centre records; a hall manager reports on their hall's decisions
    "staff/meetings/": Staff("manager", "clerk"),
    "staff/meetings/new/": Staff("admin", "manager"),
    "staff/meetings/<int:pk>/": Staff(
        "manager", "clerk", other_hall=True, args=(("pk", "meeting_pk"),)
    ),
    "staff/meetings/<int:pk>/decisions/": Staff(
        None, "manager", method="POST", args=(("pk", "meeting_pk"),)
    ),
    "staff/meetings/decisions/<int:pk>/<slug:action>/": Staff(
        None,
        "clerk",
        other_hall=True,
        method="POST",
        args=(("pk", "decision_pk"), ("action", "decision_action")),
    ),
    # bulletins: the centre writes; a recipient hall reads and its manager acknowledges
    "bulletins/": Open(),
    "bulletins/<uuid:key>/": Open(404, args=(("key", "bulletin_draft_key"),)),
    "bulletins/<uuid:key>/attachments/<int:pk>/": Open(
        404, args=(("key", "bulletin_draft_key"), ("pk", "bulletin_attachment_pk"))
    ),
    "staff/bulletins/": Staff("admin", "manager"),
    "staff/bulletins/new/": Staff("admin", "manager"),
    "staff/bulletins/from-report/": Staff("admin", "manager"),
    "staff/bulletins/inbox/": Staff("clerk", "clerk", 200),
    # opened by the hall's staff it is marked read, so the wrong persona is the centre's
    "staff/bulletins/<int:pk>/": Staff(
        "manager", "legal", 404, other_hall=True, args=(("pk", "bulletin_pk"),)
    ),
    "staff/bulletins/<int:pk>/edit/": Staff(
        "admin", "manager", args=(("pk", "bulletin_draft_pk"),)
    ),
    "staff/bulletins/<int:pk>/publish/": Staff(
        None, "manager", method="POST", args=(("pk", "bulletin_draft_pk"),)
    ),
    "staff/bulletins/<int:pk>/acknowledge/": Staff(
        None, "clerk", other_hall=True, method="POST", args=(("pk", "bulletin_pk"),)
    ),
    # an unknown attachment (bulletins/tests serve a real one to its readers only)
    "staff/bulletins/attachments/<int:pk>/": Staff(
        None, "clerk", 404, args=(("pk", "bulletin_attachment_pk"),)
    ),
    # assessment: hall managers see the ranking and their own hall; the centre manages
    "staff/assessment/": Staff("manager", "clerk"),
    "staff/assessment/export/": Staff("manager", "clerk"),
    "staff/assessment/scheme/": Staff("admin", "manager"),
    "staff/assessment/scheme/new/": Staff(None, "manager", method="POST"),
    "staff/assessment/lock/": Staff(None, "manager", method="POST"),
    "staff/assessment/halls/<str:code>/": Staff("manager", "clerk", other_hall=True),
    "staff/assessment/halls/<str:code>/adjust/": Staff(None, "manager", method="POST"),
    "staff/assessment/halls/<str:code>/inspections/": Staff(None, "manager", method="POST"),
    "staff/assessment/findings/<int:pk>/<slug:action>/": Staff(
        None, "clerk", method="POST", args=(("pk", "alert_pk"), ("action", "step"))
    ),
    "staff/assessment/evidence/<int:pk>/": Staff(None, "clerk", args=(("pk", "alert_pk"),)),
}

# The models registered with the Django admin: its pages answer only staff accounts
# (`is_staff`), which no persona is; everybody else is sent to the admin's sign-in page.
ADMIN_MODELS = {
    "auth.group",
    "halls.hall",
    "halls.department",
    "accounts.user",
    "accounts.apitoken",
    "workdays.calendaryear",
    "workdays.calendarday",
    "audit.auditentry",
    "catalogue.serviceitem",
    "catalogue.itemversion",
    "cases.case",
    "cases.casenumbercounter",
    "cases.statuslookupfailure",
    "supervision.rule",
    "supervision.alert",
    "complaints.complaintcategory",
    "ratings.staffcard",
    "ratings.rating",
    "floor.queuecategory",
}
ADMIN_SITE = {
    "admin/": "admin:index",
    "admin/login/": "admin:login",
    "admin/logout/": "admin:logout",
    "admin/password_change/": "admin:password_change",
    "admin/password_change/done/": "admin:password_change_done",
    "admin/autocomplete/": "admin:autocomplete",
    "admin/jsi18n/": "admin:jsi18n",
    "admin/r/<path:content_type_id>/<path:object_id>/": "admin:view_on_site",
    "admin/accounts/user/<id>/password/": "admin:auth_user_password_change",
}
ADMIN_MODEL_ROUTES = ("", "add/", "<path:object_id>/history/", "<path:object_id>/delete/",
                      "<path:object_id>/change/", "<path:object_id>/")  # fmt: skip

# Every API operation, by method and path as the OpenAPI document names them.
API: dict[tuple[str, str], Open | Staff] = {
    ("GET", "/api/v1/calendar/add?start=2026-03-02&n=5"): Staff("observer", "observer", 200),
    ("GET", "/api/v1/calendar/years"): Staff("observer", "observer", 200),
    ("GET", "/api/v1/items"): Open(),
    ("GET", "/api/v1/items/{implementation_code}"): Open(),
    ("GET", "/api/v1/cases"): Staff("clerk", "observer", other_hall="hidden"),
    ("POST", "/api/v1/cases"): Staff(None, "observer", other_hall=True, method="POST"),
    ("GET", "/api/v1/cases/{number}"): Staff("clerk", "observer", other_hall=True),
    # the full numbers: the case's handlers only (the reviewer has no step of it yet)
    ("GET", "/api/v1/cases/{number}?reveal=true"): Staff("clerk", "reviewer", other_hall=True),
    **{
        ("POST", f"/api/v1/cases/{{number}}/{action}"): Staff(
            None, "supervisor", other_hall=True, method="POST"
        )
        for action in (
            "immediate",
            "accept",
            "correction",
            "refuse",
            "supply",
            "step/decision",
            "step/assign",
            "extend",
            "extension/decision",
            "suspend",
            "resume",
            "conclude",
            "deliver",
        )
    },
    ("POST", "/api/v1/exchange/events"): Staff(None, "observer", other_hall=True, method="POST"),
    ("GET", "/api/v1/alerts"): Staff("handler", "observer", 200, other_hall="hidden"),
    ("GET", "/api/v1/alerts/{alert_id}"): Staff("handler", "legal", 404, other_hall=True),
    **{
        ("POST", f"/api/v1/alerts/{{alert_id}}/{action}"): Staff(
            None, "legal", 404, other_hall=True, method="POST"
        )
        for action in ("explain", "correct", "close", "uphold")
    },
    ("POST", "/api/v1/floor/tickets"): Staff(None, "observer", method="POST"),
    ("GET", "/api/v1/floor/tickets?hall=CG"): Staff("clerk", "observer"),
    ("GET", "/api/v1/floor/tickets/{token}"): Staff(None, "observer", 404, other_hall=True),
    ("GET", "/api/v1/floor/halls/{hall_code}/waiting"): Open(),
    ("GET", "/api/v1/stats/monthly?month=2026-01"): Open(),
    **{
        ("POST", f"/api/v1/floor/window/{action}"): Staff(None, "observer", method="POST")
        for action in ("call-next", "recall", "no-show", "done", "transfer")
    },
    ("GET", "/api/v1/floorstats/statistics"): Staff("manager", "clerk"),
    ("GET", "/api/v1/floorstats/staffing?hall=CG"): Staff("manager", "clerk"),
    ("GET", "/api/v1/floorstats/live"): Open(),
    ("GET", "/api/v1/floor/appointments/slots?hall=CG&category=A&day=2026-03-03"): Open(400),
    ("POST", "/api/v1/floor/appointments"): Open(422, "POST"),
    ("GET", "/api/v1/floor/appointments/{token}"): Open(404),
    ("POST", "/api/v1/floor/appointments/{token}/cancel"): Open(404, "POST"),
    ("POST", "/api/v1/floor/appointments/check-in"): Staff(None, "observer", method="POST"),
}


# ----------------------------------------------------------------- what exists now


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        else:
            yield route


def url_routes() -> set[str]:
    return set(_walk(get_resolver()))


def api_operations() -> dict[tuple[str, str], dict]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path): op
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }


def _api_route(path: str) -> str:
    """The URL pattern an OpenAPI path is served by (ninja writes `{x}` as `<x>`)."""
    return re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))


def admin_routes() -> set[str]:
    routes = set(ADMIN_SITE)
    for model in ADMIN_MODELS:
        base = "admin/" + model.replace(".", "/") + "/"
        routes.update(base + tail for tail in ADMIN_MODEL_ROUTES)
    labels = "|".join(sorted({m.split(".")[0] for m in ADMIN_MODELS}))
    return routes | {"admin/(?P<url>.*)$"} | {f"admin/^(?P<app_label>{labels})/$"}


def test_every_route_is_in_the_table():
    routes = url_routes()
    served_by_api = {_api_route(path) for _method, path in api_operations()}
    # The app labels of the admin's app list come in the order apps register models.
    routes = {
        re.sub(r"\(\?P<app_label>([\w|]+)\)", lambda m: "(?P<app_label>" + "|".join(
            sorted(m.group(1).split("|"))) + ")", r)
        for r in routes
    }  # fmt: skip
    listed = set(PAGES) | admin_routes() | served_by_api
    assert sorted(routes - listed) == [], "routes the access matrix does not list"
    assert sorted(listed - routes) == [], "routes the access matrix lists that no longer exist"
    operations = set(api_operations())
    listed_ops = {(method, path.partition("?")[0]) for method, path in API}
    assert sorted(operations - listed_ops) == [], "API operations the access matrix does not list"
    assert sorted(listed_ops - operations) == [], "API operations listed that no longer exist"


# ---------------------------------------------------------------------- the world


@pytest.fixture
def world(personas):
    """Objects of the personas' hall (CG) to put into paths, and who asks."""
    import time_machine

    with time_machine.travel(at("2026-03-02"), tick=False):
        item = make_item(personas.department, [personas.hall], name="机动车转移登记")
        case = make_accepted_case(personas, item)
        scan = services.attach_scan(
            actor=personas.clerk,
            case=case,
            upload=SimpleUploadedFile("id.png", PNG, "image/png"),
        )
        case.refresh_from_db()
        alert = make_alert(personas, case, responsible=personas.handler)
        complaint = make_complaint(personas, case_number=case.number)
        followup = open_for(make_rating(personas, item, case=case))
    observer = make_user(
        "observer",
        halls=[personas.hall],
        roles=[Role.CONDUCT_OBSERVER],
        department=personas.department,
    )
    values = {
        "case_number": case.number,
        "action": "accept",
        "kind": "receipt",
        "scan_pk": scan.pk,
        "alert_pk": alert.pk,
        "alert_id": alert.pk,
        "code": None,  # per route, below
        "username": personas.handler.username,
        "year": 2026,
        "window_number": personas.window.number,
        "version_number": item.published_version.number,
        "implementation_code": item.implementation_code,
        "token_prefix": ApiToken.issue(personas.handler, "matrix")[0].prefix,
        "complaint_number": complaint.number,
        "step": "assign",
        "letter_kind": "acknowledgement",
        "fmt": "json",
        "token": "nosuch",
        "hall_code": personas.hall.code,
        "followup_pk": followup.pk,
        "followup_action": "call_back",
        "followup_token": followup.token,
    }
    values.update(make_conduct_world(personas, observer))
    values["training_pk"] = make_session([personas.hall]).pk
    values.update(make_meetings_world(personas))
    values.update(make_bulletins_world(personas))
    return {"personas": personas, "item": item, "case": case, "alert": alert,
            "observer": observer, "values": values}  # fmt: skip


def _code_for(route: str, world) -> str:
    if route.startswith("staff/halls/departments/"):
        return world["personas"].department.code
    if route.startswith(("staff/halls/", "staff/satisfaction/halls/", "staff/assessment/halls/")):
        return world["personas"].hall.code
    if route.startswith("staff/supervision/rules/"):
        return world["alert"].rule.code
    if route.startswith("open311/"):
        return "attitude"
    return world["item"].implementation_code


def _persona(world, name: str):
    if name == "observer":
        return world["observer"]
    return getattr(world["personas"], name)


def _elsewhere(world, user):
    """The same roles as `user`, held in another hall."""
    p = world["personas"]
    made = world.setdefault("elsewhere", {})
    if user.pk not in made:
        made[user.pk] = make_user(
            f"{user.username}_mz",
            halls=[p.other_hall],
            roles=list(user.groups.values_list("name", flat=True)),
            department=p.other_department,
        )
    return made[user.pk]


def _fill(route: str, world, args: tuple[tuple[str, str], ...]) -> str:
    mapping = dict(args)
    values = world["values"]

    def value(m):
        name = m.group(1)
        if name == "code":
            return str(_code_for(route, world))
        return str(values[mapping.get(name, name)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _footprint(world) -> tuple:
    """What a refused request must leave as it was."""
    case = Case.objects.get(pk=world["case"].pk)
    alert = Alert.objects.get(pk=world["alert"].pk)
    return (
        AuditEntry.objects.count(),
        CaseEvent.objects.count(),
        Case.objects.count(),
        Attachment.objects.count(),
        AlertEvent.objects.count(),
        case.version,
        case.status,
        alert.status,
    )


def _ask(client, user, method, url, body=None, api_call=False):
    """`client` is a dict of test clients, one per user, each signed in once."""
    key = user.pk if user is not None else None
    if key not in client:
        client[key] = Client()
        if user is not None:
            client[key].force_login(user)
    client = client[key]
    if method == "GET":
        return client.get(url)
    if api_call:
        return client.post(url, body or {}, content_type="application/json")
    return client.post(url, body or {})


def _check(client, world, spec, method_url, *, api_call, body=None, problems):
    method, url = method_url
    before = _footprint(world)

    def expect(who, user, wanted, *, hidden=False):
        response = _ask(client, user, method, url, body, api_call)
        got = response.status_code
        ok = got == wanted
        if ok and wanted == 302 and user is None and isinstance(spec, Staff):
            ok = "/accounts/login/" in response["Location"]
        if ok and hidden:
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            ok = world["case"].number.encode() not in content
        if not ok:
            problems.append(f"{method} {url} as {who}: {got}, expected {wanted}")

    if isinstance(spec, Open):
        expect("anonymous", None, spec.status)
    else:
        expect("anonymous", None, 401 if api_call else 302)
        wrong = _persona(world, spec.wrong)
        expect(spec.wrong, wrong, spec.wrong_status)
        if spec.other_hall:
            # The persona who may, or the wrong one for write-only routes, in another hall.
            model = _persona(world, spec.allowed or _writer(spec, url))
            hidden = spec.other_hall == "hidden"
            expect(f"{model.username} of another hall", _elsewhere(world, model),
                   200 if hidden else 404, hidden=hidden)  # fmt: skip
    after = _footprint(world)
    if after != before:
        problems.append(f"{method} {url} changed something: {before} -> {after}")
    if isinstance(spec, Staff) and spec.allowed is not None and method == "GET":
        # Last: printing a notice or viewing a scan is recorded (an event, an audit row).
        expect(spec.allowed, _persona(world, spec.allowed), spec.ok)


def _writer(spec, url: str) -> str:
    """Who may write where the route has no page to GET."""
    if "/supervision/" in url or "/alerts/" in url:
        return "handler"
    if "/catalogue/" in url:
        return "manager"
    if "/complaints/" in url:
        return "manager"
    if "/conduct/" in url:
        return "observer"
    if "/meetings/" in url or "/bulletins/" in url:
        return "manager"
    return "clerk"


def test_every_page_turns_away_who_it_must(world):
    client, problems = {}, []
    for route, spec in PAGES.items():
        url = _fill(route, world, getattr(spec, "args", ()))
        _check(client, world, spec, (spec.method, url), api_call=False, problems=problems)
    assert not problems, "\n".join(problems)


def test_the_admin_answers_staff_accounts_only(world):
    """No persona is a staff account: every admin page sends them all to its sign-in."""
    client, problems = {}, []
    p = world["personas"]
    values = {"object_id": str(p.hall.pk), "id": str(p.clerk.pk), "content_type_id": "1",
              "url": "nothing/", "app_label": "cases"}  # fmt: skip
    for route in sorted(admin_routes()):
        if route in ("admin/login/", "admin/logout/"):
            continue
        url = "/" + re.sub(r"\^?\(\?P<(\w+)>[^)]*\)/?\$?", lambda m: values[m.group(1)] + (
            "/" if m.group(1) == "app_label" else ""), route)  # fmt: skip
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], url)
        writes = route.endswith(("add/", "change/", "delete/", "password/"))
        for who in (None, p.admin):
            before = _footprint(world)
            for method in ("GET", "POST") if writes else ("GET",):
                r = _ask(client, who, method, url)
                if r.status_code != 302 or "/admin/login/" not in r["Location"]:
                    problems.append(f"{method} {url} as {who}: {r.status_code}")
            if _footprint(world) != before:
                problems.append(f"{url} changed something")
    assert not problems, "\n".join(problems)


def _body(op: dict, schema: dict, world) -> dict:
    """A body the operation accepts: each required field with a plausible value."""
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return {}
    return _example(content["application/json"]["schema"], schema, world, "")


def _example(node, schema, world, name):
    if "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _example(target, schema, world, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(node[key][0], schema, world, name)
    if "enum" in node and name != "kind":
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {k: _example(v, schema, world, k) for k, v in node.get("properties", {}).items()
                if k in node.get("required", ())}  # fmt: skip
    special = {
        "kind": "received",  # the exchange: a new case (its first event)
        "seq": 1,
        "external_number": "EXT-1",
        "version": world["case"].version,
        "hall": world["personas"].hall.code,
        "item": world["item"].implementation_code,
        "number": world["case"].number,
        "applicant_id_number": world["case"].applicant_id_number,
        "contact_phone": "13812345678",
    }
    if name in special:
        return special[name]
    if node.get("format") == "date":
        return "2026-03-02"
    if node.get("format") == "date-time":
        return "2026-03-02T10:00:00+08:00"
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "string": "x"}.get(kind, "x")


def test_every_api_operation_turns_away_who_it_must(world):
    client, problems = {}, []
    operations = api_operations()
    schema = api.get_openapi_schema()
    for (method, path), spec in API.items():
        url = path.replace("{number}", world["case"].number)
        url = re.sub(r"\{(\w+)\}", lambda m: str(world["values"][m.group(1)]), url)
        op = operations[(method, path.partition("?")[0])]
        body = _body(op, schema, world) if method == "POST" else None
        _check(client, world, spec, (method, url), api_call=True, body=body, problems=problems)
    assert not problems, "\n".join(problems)
