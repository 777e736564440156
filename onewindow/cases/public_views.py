"""The public status page (办件查询): case number + query code, nothing else needed.

It shows the item, the steps passed in plain words, the due date and the result, with
the applicant's name masked. A wrong query code gets exactly the answer an unknown
number gets, and a client that fails too often is held off for a while (guessing query
codes must not pay).

It is the busiest public page (every notice carries its QR code), so a lookup is kept
cheap:

* The rate limit and the query-code check run on every request, before anything else.
* The rendered answer is kept by the process (`render_answer`) under a key holding every
  value of the case the page shows (`CASE_FIELDS` and the hall's and item's names, read
  afresh on every request), the days left and the language. The history (the events) is
  covered by the case's version, which every service that appends an event the public
  sees bumps in the same transaction (`services.common.finish`, the exchange included).
  The due date can change without a new version (the deadlines job, once the calendar of
  a year is entered) and the days left change every day: both are in the key by value.
* Two reads, written by hand (core.rawsql) once per process: the client's recent
  failures together with the case (`read_lookup`), then, only for an answer that is not
  kept, the case's events. Through the ORM, composing them took several times as long
  as SQLite takes to run them.
* The answer is HTML built in `answer_html`, its fixed words translated once per
  language, inside the page layout that core.shell renders once per language for
  visitors who are not signed in. Through templates a first lookup cost ~8 ms of CPU;
  now ~0.9 ms against ~0.3 for a constant view (measured in-process through the WSGI
  handler, DEBUG off).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
import threading
from html import escape as e  # what django.utils.html.escape does, without SafeString

from django.db import DEFAULT_DB_ALIAS, connections
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from onewindow.core import dates, rawsql
from onewindow.core.handler import NotFast
from onewindow.core.shell import anonymous_page
from onewindow.lib import idnumbers

from . import clock
from .models import Case, CaseEvent, StatusLookupFailure, Suspension

MAX_FAILURES = 10
WINDOW = dt.timedelta(minutes=10)
K = CaseEvent.Kind

# Kinds the public sees; staff-only detail (assignments, documents, scans) is left out.
PUBLIC_KINDS = (
    K.RECEIVED,
    K.CORRECTION_ISSUED,
    K.CORRECTION_SUPPLIED,
    K.ACCEPTED,
    K.ACCEPTED_WITH_GAPS,
    K.GAPS_SUPPLIED,
    K.REFUSED,
    K.STEP_DECIDED,
    K.SENT_BACK,
    K.EXTENDED,
    K.SUSPENDED,
    K.RESUMED,
    K.CONCLUDED,
    K.DELIVERED,
)
# Their plain words, where they say nothing more (lazy: only the words shown are translated).
PLAIN_WORDS = {
    K.RECEIVED: gettext_lazy("Application received"),
    K.CORRECTION_ISSUED: gettext_lazy("Correction notice issued: some materials are missing"),
    K.CORRECTION_SUPPLIED: gettext_lazy("Missing materials handed in"),
    K.ACCEPTED: gettext_lazy("Application accepted: the time limit runs"),
    K.ACCEPTED_WITH_GAPS: gettext_lazy("Accepted with materials to follow"),
    K.GAPS_SUPPLIED: gettext_lazy("Materials to follow handed in"),
    K.REFUSED: gettext_lazy("Application not accepted"),
    K.SENT_BACK: gettext_lazy("Returned to an earlier step for further work"),
    K.RESUMED: gettext_lazy("Special procedure finished: the time limit runs again"),
    K.DELIVERED: gettext_lazy("Result delivered"),
}

# What the page shows of a case, with what its days left are computed from and what the
# lookup checks. `find_case` reads only these (plus the hall's and the item's names), so
# a template that shows anything else costs a query per lookup (the test pins the count).
CASE_FIELDS = (
    "number",
    "query_code",
    "version",
    "status",
    "applicant_name",
    "promised_due_date",
    "due_provisional",
    "suspended_since",
    "result",
    "concluded_at",
)


@functools.cache
def _lookup_sql(vendor: str) -> tuple[str, tuple[str, ...]]:
    """One statement for the rate limit and the case: how many times the client failed
    lately (at most MAX_FAILURES rows read), and the case with this number (all NULL when
    there is none) with its hall's and item's names."""
    names = rawsql.attnames(Case, ("id", *CASE_FIELDS))
    hall, version = Case.hall.field.related_model, Case.item_version.field.related_model
    failures = StatusLookupFailure._meta
    client, at = (failures.get_field(name).column for name in ("client", "at"))
    sql = (
        f"SELECT f.n, {rawsql.select_list(Case, 't', names)}, h.name, v.name FROM"
        f" (SELECT count(*) AS n FROM (SELECT 1 FROM {failures.db_table}"
        f" WHERE {client} = %s AND {at} > %s LIMIT {MAX_FAILURES}) x) f"
        f" LEFT JOIN {Case._meta.db_table} t ON t.number = %s"
        f" LEFT JOIN {hall._meta.db_table} h ON h.id = t.hall_id"
        f" LEFT JOIN {version._meta.db_table} v ON v.id = t.item_version_id"
    )
    return sql, names


def client_key(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def read_lookup(client: str, now: dt.datetime, number: str) -> tuple[bool, Case | None]:
    """(whether the client failed MAX_FAILURES times within WINDOW, the case with this
    number or None), in one query. The case has only `CASE_FIELDS`; the hall's and the
    item's names come as ``hall_name`` and ``item_name``."""
    conn = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    sql, names = _lookup_sql(conn.vendor)
    since = conn.ops.adapt_datetimefield_value(now - WINDOW)
    with rawsql.cursor(conn) as cursor:
        cursor.execute(sql, [client, since, number])
        row = cursor.fetchone()
    blocked = row[0] >= MAX_FAILURES
    if row[1] is None:
        return blocked, None
    case = rawsql.build(Case, names, row[1 : 1 + len(names)])
    case.hall_name, case.item_name = row[1 + len(names) :]
    return blocked, case


def note_failure(client: str, now: dt.datetime) -> None:
    # Old rows of this client go at the same time, so the table stays small.
    StatusLookupFailure.objects.filter(client=client, at__lte=now - WINDOW).delete()
    StatusLookupFailure.objects.create(client=client, at=now)


def _normalise(value: str) -> str:
    return "".join((value or "").split()).upper()[:40]


def code_matches(case: Case | None, code: str) -> bool:
    """Whether the query code is the case's (the same comparison when there is no case)."""
    expected = case.query_code if case is not None else "X" * 8
    return secrets.compare_digest(expected.encode(), code.encode()) and case is not None


_EVENTS_SQL = (
    f"SELECT kind, at, data FROM {CaseEvent._meta.db_table} WHERE case_id = %s ORDER BY seq"
)
# The kinds whose plain words take something from the event's data.
_WORDS_FROM_DATA = {K.STEP_DECIDED, K.EXTENDED, K.SUSPENDED, K.CONCLUDED}


def public_steps(case: Case) -> list[dict]:
    """The case's history in plain words for the applicant.

    Every event of the case, the staff-only ones skipped here (a case has a dozen or so,
    and an IN over the public kinds costs more to compose than they cost to read). Read
    without the ORM's converters: the time is stored in UTC (SQLite gives it as ISO text,
    PostgreSQL as an aware datetime) and the data, JSON text, is decoded only for the
    four kinds whose words use it."""
    steps = []
    w = _words(get_language())
    plain = w["plain"]
    with rawsql.cursor() as cursor:
        cursor.execute(_EVENTS_SQL, [case.pk])
        rows = cursor.fetchall()
    for kind, at, data in rows:
        if kind in _WORDS_FROM_DATA:
            data = json.loads(data) if isinstance(data, str | bytes) else data
            text = _words_from_data(kind, data or {}, w)
        else:
            text = plain.get(kind)  # None: a staff-only kind, or one without words
        if text:
            if isinstance(at, str):
                at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
            steps.append({"at": at, "text": text})
    return steps


def _words_from_data(kind: str, data: dict, w: dict) -> str:
    if kind == K.STEP_DECIDED:
        return w["step_done"] % {"step": data.get("step", "")}
    if kind == K.EXTENDED:
        return w["extended"] % {"days": data.get("days", "")}
    if kind == K.SUSPENDED:
        label = w["suspension_kinds"].get(data.get("kind"), w["special_procedure"])
        return w["suspended"] % {"kind": label}
    return w["concluded"] % {"result": w["results"].get(data.get("result"), "")}


@functools.lru_cache(maxsize=16)
def _words(language: str) -> dict:
    """The fixed words of the answer in ``language`` (the active one: callers pass
    get_language()), translated once per process rather than on every lookup."""
    return {
        # The public kinds whose words say nothing more (staff-only kinds are absent).
        "plain": {kind: str(words) for kind, words in PLAIN_WORDS.items() if kind in PUBLIC_KINDS},
        "step_done": _("Step done: %(step)s"),
        "extended": _("Time limit extended by %(days)s working days"),
        "suspended": _("Special procedure (%(kind)s): the time limit stops"),
        "concluded": _("Concluded: %(result)s"),
        "suspension_kinds": {value: str(label) for value, label in Suspension.Kind.choices},
        "special_procedure": _("special procedure"),
        "statuses": {value: str(label) for value, label in Case.Status.choices},
        "results": {value: str(label) for value, label in Case.Result.choices},
        "title": _("Case status"),
        "number": _("Case number"),
        "item": _("Item"),
        "applicant": _("Applicant"),
        "hall": _("Hall"),
        "status": _("Status"),
        "due": _("Due date"),
        "result": _("Result"),
        "history": _("What has happened"),
        "again": _("Look up another case"),
        "lookup_url": reverse("status:lookup"),
        "stopped": _("clock stopped"),
        "stopped_title": _("The clock is stopped during a special procedure."),
        "provisional": _("provisional"),
        "provisional_title": _(
            "The official holiday calendar of a year this runs into is not published yet."
        ),
        "provisional_due": _(
            "Provisional: the official holiday calendar of a year this date runs "
            "into is not published yet."
        ),
    }


@functools.lru_cache(maxsize=16)
def _html_words(language: str) -> dict:
    """The fixed words of `_words` escaped for HTML, once per language (the statuses and
    results too)."""
    w = _words(language)
    out = {key: e(value) for key, value in w.items() if isinstance(value, str)}
    out["statuses"] = {key: e(value) for key, value in w["statuses"].items()}
    out["results"] = {key: e(value) for key, value in w["results"].items()}
    return out


def answer_key(case: Case, left, language: str) -> tuple:
    """The key of the rendered answer: every value shown, the days left and the language.
    With the number and the code in it, a database loaded afresh (the demo) that gives the
    same ids and versions to other cases never gets their answers."""
    values = case.__dict__
    return (
        case.pk,
        case.hall_name,
        case.item_name,
        left,
        language,
        *[values[name] for name in CASE_FIELDS],
    )


# The rendered answers of this process (a few KB each; the oldest go first beyond
# MAX_ANSWERS). Kept here rather than in Django's cache: most lookups are first lookups (a
# notice's QR code is scanned once or twice), which paid the cache's pickling and key
# checks for nothing, and a key that never leaves the process needs no hashing to keep
# the query code in it secret. A new deployment is a new process: no old words survive.
MAX_ANSWERS = 5000
_answers: dict[tuple, str] = {}
_answers_lock = threading.Lock()


def render_answer(case: Case) -> str:
    """The answer for a case (the page below its header), kept for the next lookup while
    nothing it shows changes."""
    left = clock.case_days_left(case)
    key = answer_key(case, left, get_language())
    html = _answers.get(key)
    if html is None:
        html = answer_html(case, left, public_steps(case))
        with _answers_lock:
            _answers[key] = html
            while len(_answers) > MAX_ANSWERS:
                del _answers[next(iter(_answers))]
    return mark_safe(html)  # built by answer_html: escaped already


def forget_answers() -> None:
    """Drop the answers kept (tests: a rolled-back case's id is given again)."""
    with _answers_lock:
        _answers.clear()


# The answer is built here rather than by a template: it is the busiest page, and the
# template engine took most of a first lookup's time (variable lookups, includes and
# translation tags) where the fragment has a dozen values. Same markup and words as the
# staff pages' badges (cases/_status.html, cases/_left.html).
STATUS_BADGE = {
    Case.Status.ACCEPTED: "text-bg-primary",
    Case.Status.SUSPENDED: "text-bg-secondary",
    Case.Status.CONCLUDED: "text-bg-success",
    Case.Status.DELIVERED: "text-bg-success",
    Case.Status.REFUSED: "text-bg-dark",
    Case.Status.VOID: "text-bg-dark",
    Case.Status.CORRECTION: "text-bg-warning",
}


def status_badge(case: Case, h: dict) -> str:
    """``h``: `_html_words` of the language."""
    css = STATUS_BADGE.get(case.status, "text-bg-light border")
    label = h["statuses"].get(case.status) or e(case.status)
    return f'<span class="badge ow-status ow-status-{e(case.status)} {css}">{label}</span>'


def left_badge(left: clock.DaysLeft | None, h: dict) -> str:
    """``h``: `_html_words` of the language."""
    if left is None:
        return '<span class="text-muted">—</span>'
    if left.overdue:
        n = left.overdue_by
        text = ngettext("Overdue by %(n)s working day", "Overdue by %(n)s working days", n)
        badge = f'<span class="badge text-bg-danger">{e(text % {"n": n})}</span>'
    else:
        n = left.value
        text = ngettext("%(n)s working day left", "%(n)s working days left", n)
        css = "text-bg-warning" if n <= 1 else "text-bg-success"
        badge = f'<span class="badge {css}">{e(text % {"n": n})}</span>'
    if left.stopped:
        badge += (
            f' <span class="badge text-bg-secondary" title="{h["stopped_title"]}">'
            f"{h['stopped']}</span>"
        )
    if left.provisional:
        badge += (
            f' <span class="badge text-bg-info" title="{h["provisional_title"]}">'
            f"{h['provisional']}</span>"
        )
    return f'<span class="ow-left text-nowrap">{badge}</span>'


def _row(label_html: str, value_html: str, element_id: str = "") -> str:
    """A row of the answer: label and value escaped already."""
    attr = f' id="{element_id}"' if element_id else ""
    return f'<dt class="col-sm-3">{label_html}</dt><dd class="col-sm-9"{attr}>{value_html}</dd>'


def answer_html(case: Case, left, steps: list[dict]) -> str:
    """The answer (below the page header): the case, its due date and its history.

    Written as f-strings with every value escaped by ``e`` (what Django's escape does):
    `format_html` took a fifth of a lookup for its twenty calls. Text values go through
    ``e``; the fixed words come escaped once per language (`_html_words`); only the badges
    built here enter unescaped."""
    h = _html_words(get_language())
    rows = [
        _row(h["number"], e(case.number), "status-number"),
        _row(h["item"], e(case.item_name), "status-item"),
        _row(h["applicant"], e(idnumbers.mask_name(case.applicant_name)), "status-applicant"),
        _row(h["hall"], e(case.hall_name)),
        _row(h["status"], status_badge(case, h), "status-status"),
    ]
    if case.promised_due_date:
        due = e(dates.date_format(case.promised_due_date))
        if case.is_open:
            due = f"{due} · {left_badge(left, h)}"
        if case.due_provisional:
            due = f'{due}<div class="small text-muted">{h["provisional_due"]}</div>'
        rows.append(_row(h["due"], due, "status-due"))
    if case.result:
        result = h["results"].get(case.result) or e(case.result)
        if case.concluded_at:
            result = f"{result} · {e(dates.date_format(timezone.localtime(case.concluded_at)))}"
        rows.append(_row(h["result"], result, "status-result"))
    tz, when = timezone.get_current_timezone(), dates.formatter("SHORT_DATETIME_FORMAT")
    history = "".join(
        '<li class="list-group-item d-flex justify-content-between gap-3">'
        f'<span>{e(step["text"])}</span><span class="text-muted small">'
        f"{e(when(step['at'].astimezone(tz)))}</span></li>"
        for step in steps
    )
    body = "\n".join(rows)
    return (
        '<div class="row justify-content-center"><div class="col-lg-8">\n'
        f'<h1 class="h3 mb-3">{h["title"]}</h1>\n'
        '<div class="card mb-3" id="public-status"><div class="card-body">\n'
        f'<dl class="row mb-0">{body}</dl></div></div>\n'
        f'<h2 class="h5">{h["history"]}</h2>\n'
        f'<ol class="list-group mb-3" id="status-steps">{history}</ol>\n'
        f'<a href="{h["lookup_url"]}">{h["again"]}</a>\n</div></div>'
    )


# What Django's never_cache sets, written directly: patching the headers through
# patch_cache_control cost ~4 % of a lookup.
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def no_store(view):
    """The answer is never kept by a browser or a proxy (it names a person's case)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers["Expires"] = http_date()
        response.headers["Cache-Control"] = NO_STORE
        return response

    return wrapper


@no_store
def lookup(request):
    """The form; with number and code given, the answer (or the same "not found")."""
    number = _normalise(request.GET.get("number", ""))
    code = _normalise(request.GET.get("code", ""))
    if not number and not code:
        return render(request, "cases/public/lookup.html", {})
    return _answer(request, number, code)


@no_store
def status(request, number):
    """The QR code link: /status/<number>/?code=<query code>."""
    code = _normalise(request.GET.get("code", ""))
    if not code:
        return redirect(reverse("status:lookup") + f"?number={_normalise(number)}")
    return _answer(request, _normalise(number), code)


@no_store
def status_fast(request, number):
    """The QR code link through the fast route of core.handler: only the answer to a
    visitor who is not signed in (the shared layout) for a case found with its code.
    Anything else (no code, a wrong one, the client held off, a session) raises NotFast
    and takes the full path, `status`, which reads again and answers it."""
    code = _normalise(request.GET.get("code", ""))
    number = _normalise(number)
    if not (number and code):
        raise NotFast
    blocked, case = read_lookup(client_key(request), timezone.now(), number)
    if blocked or not code_matches(case, code):
        raise NotFast
    page = anonymous_page(request, title=_title(case), content=render_answer(case))
    if page is None:
        raise NotFast
    return page


def _title(case: Case) -> str:
    return f"{_('Case status')} {case.number}"


def _answer(request, number: str, code: str):
    now = timezone.now()
    client = client_key(request)
    context = {"number": number, "code": code}
    blocked, case = read_lookup(client, now, number)
    if blocked:
        context["blocked"] = True
        return render(request, "cases/public/lookup.html", context, status=429)
    if not (number and code and code_matches(case, code)):
        note_failure(client, now)
        context["not_found"] = True
        return render(request, "cases/public/lookup.html", context, status=404)
    answer = render_answer(case)
    page = anonymous_page(request, title=_title(case), content=answer)
    if page is not None:
        return page
    return render(
        request,
        "cases/public/status.html",
        {"case": case, "answer": answer, "number": number, "code": code},
    )
