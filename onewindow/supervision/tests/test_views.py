"""The desk, the alert page and its actions, the inbox, the rules pages.

For each: the allowed user, anonymous, the wrong role, the other hall, the audit row.
"""

from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.supervision.models import Alert, AlertEvent, Level, Rule
from onewindow.supervision.services.scan import scan
from onewindow.supervision.views import case_url

from .conftest import local
from .factories import make_alert, make_case, make_event, make_item

pytestmark = pytest.mark.django_db

DESK = reverse("supervision:desk")
INBOX = reverse("supervision:inbox")
RULES = reverse("supervision:rules")


def action_url(alert, action):
    return reverse("supervision:alert_action", args=[alert.pk, action])


def login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL)
    )


@pytest.fixture
def alert(personas):
    return make_alert(personas, responsible=personas.handler)


@pytest.fixture
def other_alert(personas):
    version = make_item(personas.other_department, halls=[personas.other_hall])
    case = make_case(
        personas, version, hall=personas.other_hall, department=personas.other_department
    )
    return make_alert(personas, case, responsible=personas.outsider)


# --------------------------------------------------------------------------- the desk


def test_it_shows_the_desk_to_the_supervision_office(client, personas, alert, other_alert):
    client.force_login(personas.supervisor)
    response = client.get(DESK)
    assert response.status_code == 200
    body = response.content.decode()
    assert alert.case.number in body and other_alert.case.number in body
    assert 'hx-trigger="every 30s"' in body
    assert "vendor/echarts/echarts.min.js" in body
    counts = response.context["counts"]
    by_hall = {line["hall"].code: line["total"] for line in counts["lines"]}
    assert by_hall["CG"] == 1 and by_hall["MZ"] == 1 and counts["grand_total"] == 2


def test_it_sends_anonymous_visitors_of_the_desk_to_sign_in(client):
    assert login_redirect(client.get(DESK))
    assert login_redirect(client.get(reverse("supervision:desk_counts")))


def test_it_refuses_the_desk_to_a_window_clerk(client, personas, alert):
    client.force_login(personas.clerk)
    assert client.get(DESK).status_code == 403
    assert client.get(reverse("supervision:desk_counts")).status_code == 403


def test_it_shows_a_hall_manager_only_the_alerts_of_their_hall(
    client, personas, alert, other_alert
):
    client.force_login(personas.manager)
    response = client.get(DESK)
    assert response.status_code == 200
    assert list(response.context["page"]) == [alert]
    assert [line["hall"] for line in response.context["counts"]["lines"]] == [personas.hall]
    assert other_alert.case.number not in response.content.decode()


def test_it_filters_the_list(client, personas, clock):
    client.force_login(personas.supervisor)
    version = make_item(personas.department, halls=[personas.hall])
    red = make_alert(personas, make_case(personas, version), code="legal_overdue")
    warning = make_alert(personas, make_case(personas, version), code="case_due_soon")
    closed = make_alert(
        personas, make_case(personas, version), code="legal_overdue", status=Alert.Status.CLOSED
    )

    def listed(**params):
        response = client.get(DESK, params)
        assert response.status_code == 200
        return set(response.context["page"])

    assert listed(level="warning") == {warning}
    assert listed(level="red") == {red, closed}
    assert listed(rule="legal_overdue") == {red, closed}
    assert listed(status="open") == {red, warning}
    assert listed(status="closed") == {closed}
    assert listed(hall="CG") == {red, warning, closed}
    assert listed(hall="MZ") == set()
    assert listed(since="2026-10-01") == set()
    assert listed(since="2026-09-30") == {red, warning, closed}


def test_it_reports_a_bad_filter_and_ignores_it(client, personas, alert):
    client.force_login(personas.supervisor)
    response = client.get(DESK, {"level": "purple", "since": "yesterday", "rule": "case_overdue"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "未知的等级“purple”" in body
    assert "YYYY-MM-DD" in body
    assert list(response.context["page"]) == [alert]


def test_it_does_not_let_a_hall_manager_filter_on_another_hall(client, personas, alert):
    client.force_login(personas.manager)
    response = client.get(DESK, {"hall": "MZ"})
    assert "未知的大厅“MZ”" in response.content.decode()


def test_it_lists_the_desk_in_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    version = make_item(personas.department, halls=[personas.hall])
    for _ in range(3):
        make_alert(personas, make_case(personas, version))
    client.force_login(personas.supervisor)
    client.get(DESK)  # warm the session and the permission caches
    with django_assert_max_num_queries(14) as few:
        client.get(DESK)
    for _ in range(20):
        make_alert(personas, make_case(personas, version))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(DESK)


def test_it_draws_the_weekly_chart_per_hall(client, personas, clock):
    version = make_item(personas.department, halls=[personas.hall])
    make_alert(personas, make_case(personas, version), code="case_overdue")  # yellow
    make_alert(personas, make_case(personas, version), code="legal_overdue")  # red
    make_alert(personas, make_case(personas, version), code="case_due_soon")  # a warning
    Rule.objects.filter(code="fee_mismatch").update(level=Level.FLAG)
    make_alert(personas, make_case(personas, version), code="fee_mismatch")  # a flag
    client.force_login(personas.supervisor)
    chart = client.get(DESK).context["chart"]
    assert len(chart["weeks"]) == 12 and chart["weeks"][-1] == "2026-09-28"
    assert chart["series"] == [{"name": personas.hall.name, "data": [0] * 11 + [2]}]


def test_it_serves_the_live_counts_for_htmx(client, personas, alert):
    client.force_login(personas.supervisor)
    response = client.get(reverse("supervision:desk_counts"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="live-counts"')
    assert 'id="grand-total">1<' in body


def test_it_shows_the_desk_in_english_too(client, personas, alert):
    client.force_login(personas.supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(DESK).content.decode()
    assert "Supervision desk" in body and "Red card" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(DESK).content.decode()
    assert "监察台" in body and "红牌" in body


# ----------------------------------------------------------------------- the alert


def test_it_shows_an_alert_with_its_case_and_events(client, personas, alert):
    make_event(alert.case, "accepted", actor=personas.clerk)
    client.force_login(personas.supervisor)
    response = client.get(reverse("supervision:alert", args=[alert.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert alert.case.number in body
    assert "张**" in body  # the applicant's name masked
    assert len(response.context["case_events"]) == 2
    assert 'id="decide-form"' in body and 'id="answer-form"' not in body


def test_it_shows_the_responsible_person_the_answer_form(client, personas, alert):
    client.force_login(personas.handler)
    response = client.get(reverse("supervision:alert", args=[alert.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="answer-form"' in body and 'id="decide-form"' not in body


def test_it_hides_an_alert_of_another_hall(client, personas, other_alert):
    client.force_login(personas.manager)
    assert client.get(reverse("supervision:alert", args=[other_alert.pk])).status_code == 404


def test_it_refuses_an_alert_to_a_colleague_who_does_not_answer_for_it(client, personas, alert):
    client.force_login(personas.clerk)
    assert client.get(reverse("supervision:alert", args=[alert.pk])).status_code == 403


def test_it_sends_anonymous_visitors_of_an_alert_to_sign_in(client, alert):
    assert login_redirect(client.get(reverse("supervision:alert", args=[alert.pk])))
    assert login_redirect(client.post(action_url(alert, "close"), {"note": "x"}))


@override_settings(ROOT_URLCONF="onewindow.supervision.tests.urls_with_case_page")
def test_it_links_to_the_case_page_when_there_is_one(client, personas, alert):
    client.force_login(personas.supervisor)
    body = client.get(reverse("supervision:alert", args=[alert.pk])).content.decode()
    assert f'href="/staff/cases/{alert.case.number}/"' in body


@override_settings(ROOT_URLCONF="onewindow.supervision.tests.urls_without_case_page")
def test_it_shows_the_alert_without_a_case_page(client, personas, alert):
    assert case_url(alert.case) is None
    client.force_login(personas.supervisor)
    response = client.get(reverse("supervision:alert", args=[alert.pk]))
    assert response.status_code == 200 and 'id="case-link"' not in response.content.decode()


# --------------------------------------------------------------------- the actions


def test_it_lets_the_responsible_person_explain(client, personas, alert):
    client.force_login(personas.handler)
    response = client.post(action_url(alert, "explain"), {"note": "申请人补交材料延误"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.EXPLAINED
    assert alert.answer_note == "申请人补交材料延误" and alert.answered_by == personas.handler
    event = alert.events.last()
    assert (event.kind, event.from_status, event.actor) == ("explained", "raised", personas.handler)
    entry = AuditEntry.objects.get(action="alert.explained")
    assert entry.actor == personas.handler and entry.hall == personas.hall
    assert entry.before["status"] == "raised" and entry.after["status"] == "explained"


def test_it_lets_the_hall_manager_report_a_correction_and_go_back_to_the_inbox(
    client, personas, alert
):
    client.force_login(personas.manager)
    response = client.post(action_url(alert, "correct"), {"note": "已督促办结", "next": INBOX})
    assert response.status_code == 302 and response["Location"] == INBOX
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CORRECTED
    assert AuditEntry.objects.filter(action="alert.corrected", actor=personas.manager).exists()


def test_it_ignores_a_next_address_on_another_site(client, personas, alert):
    client.force_login(personas.handler)
    response = client.post(
        action_url(alert, "explain"), {"note": "说明", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("supervision:alert", args=[alert.pk])


def test_it_refuses_an_answer_without_a_note(client, personas, alert):
    client.force_login(personas.handler)
    response = client.post(action_url(alert, "explain"), {"note": "   "})
    assert response.status_code == 400
    assert "请填写说明" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED
    assert not AuditEntry.objects.filter(action__startswith="alert.").exists()


def test_it_refuses_an_answer_from_a_colleague(client, personas, alert):
    client.force_login(personas.clerk)
    response = client.post(action_url(alert, "explain"), {"note": "说明"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED


def test_it_answers_404_for_an_action_on_another_halls_alert(client, personas, other_alert):
    client.force_login(personas.manager)
    assert client.post(action_url(other_alert, "explain"), {"note": "说明"}).status_code == 404
    other_alert.refresh_from_db()
    assert other_alert.status == Alert.Status.RAISED


def test_it_answers_404_for_an_unknown_action(client, personas, alert):
    client.force_login(personas.supervisor)
    assert client.post(action_url(alert, "delete"), {"note": "x"}).status_code == 404


def test_it_lets_the_supervision_office_close_with_a_note(client, personas, alert):
    client.force_login(personas.supervisor)
    response = client.post(action_url(alert, "close"), {"note": "情况属实，予以关闭"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED and alert.decided_by == personas.supervisor
    assert AuditEntry.objects.get(action="alert.closed").note == "情况属实，予以关闭"


def test_it_refuses_to_close_without_a_note(client, personas, alert):
    client.force_login(personas.supervisor)
    response = client.post(action_url(alert, "close"), {"note": ""})
    assert response.status_code == 400
    assert "请填写说明" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED and alert.decision_note == ""


def test_it_refuses_to_let_a_hall_manager_close_or_uphold(client, personas, alert):
    client.force_login(personas.manager)
    for action in ("close", "uphold"):
        assert client.post(action_url(alert, action), {"note": "自行关闭"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED
    assert not AuditEntry.objects.filter(action__startswith="alert.").exists()


def test_it_lets_the_supervision_office_uphold_and_then_refuses_another_decision(
    client, personas, alert
):
    client.force_login(personas.supervisor)
    assert client.post(action_url(alert, "uphold"), {"note": "超期无正当理由"}).status_code == 302
    response = client.post(action_url(alert, "close"), {"note": "再关闭"})
    assert response.status_code == 409
    assert "已认定违规" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.UPHELD
    assert list(alert.events.values_list("kind", flat=True)) == ["raised", "upheld"]


# ----------------------------------------------------------------------- the inbox


def test_it_lists_in_the_inbox_what_waits_for_an_answer(client, personas, alert, other_alert):
    answered = make_alert(personas, responsible=personas.handler, status=Alert.Status.EXPLAINED)
    not_mine = make_alert(personas, responsible=personas.reviewer)
    client.force_login(personas.handler)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert list(response.context["waiting"]) == [alert]
    assert list(response.context["answered"]) == [answered]
    assert not_mine.case.number not in response.content.decode()


def test_it_gives_the_hall_manager_every_alert_of_the_hall_in_the_inbox(
    client, personas, alert, other_alert
):
    mine_too = make_alert(personas, responsible=None)
    client.force_login(personas.manager)
    waiting = set(client.get(INBOX).context["waiting"])
    assert waiting == {alert, mine_too}


def test_it_shows_an_outsider_nothing_of_another_hall_in_the_inbox(
    client, personas, alert, other_alert
):
    client.force_login(personas.outsider)
    assert list(client.get(INBOX).context["waiting"]) == [other_alert]


def test_it_sends_anonymous_visitors_of_the_inbox_to_sign_in(client):
    assert login_redirect(client.get(INBOX))


# ----------------------------------------------------------------------- the rules


def test_it_lists_the_rules(client, personas):
    client.force_login(personas.supervisor)
    response = client.get(RULES)
    assert response.status_code == 200
    body = response.content.decode()
    assert "办件超过承诺时限" in body
    assert reverse("supervision:rule_edit", args=["case_overdue"]) in body


def test_it_lets_the_supervision_office_change_a_threshold(client, personas):
    client.force_login(personas.supervisor)
    url = reverse("supervision:rule_edit", args=["case_due_soon"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"enabled": "on", "level": "red", "threshold": "2"})
    assert response.status_code == 302
    rule = Rule.objects.get(code="case_due_soon")
    assert (rule.enabled, rule.level, rule.threshold, rule.updated_by) == (
        True,
        Level.RED,
        2,
        personas.supervisor,
    )
    entry = AuditEntry.objects.get(action="supervision_rule.updated")
    assert entry.before == {"enabled": True, "level": "warning", "threshold": 1}
    assert entry.after == {"enabled": True, "level": "red", "threshold": 2}


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("-1", "阈值不能为负数"),
        ("abc", "阈值必须是整数"),
        ("1.5", "阈值必须是整数"),
        ("", "此规则需要阈值"),
        ("9999", "阈值最多为 365"),
    ],
)
def test_it_refuses_a_bad_threshold_and_changes_nothing(client, personas, threshold, message):
    client.force_login(personas.supervisor)
    url = reverse("supervision:rule_edit", args=["case_due_soon"])
    response = client.post(url, {"enabled": "on", "level": "red", "threshold": threshold})
    assert response.status_code == 400
    assert message in response.content.decode()
    rule = Rule.objects.get(code="case_due_soon")
    assert (rule.level, rule.threshold) == (Level.WARNING, 1)
    assert not AuditEntry.objects.filter(action="supervision_rule.updated").exists()


def test_it_shows_the_threshold_error_in_english_too(client, personas):
    client.force_login(personas.supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("supervision:rule_edit", args=["case_due_soon"])
    response = client.post(url, {"enabled": "on", "level": "red", "threshold": "-3"})
    assert "The threshold cannot be negative." in response.content.decode()


def test_it_edits_a_rule_without_threshold_without_asking_for_one(client, personas):
    client.force_login(personas.supervisor)
    url = reverse("supervision:rule_edit", args=["refusal_without_reason"])
    assert "threshold" not in client.get(url).context["form"].fields
    assert client.post(url, {"level": "yellow"}).status_code == 302
    rule = Rule.objects.get(code="refusal_without_reason")
    assert (rule.enabled, rule.level, rule.threshold) == (False, Level.YELLOW, None)


def test_it_refuses_rule_editing_to_others(client, personas):
    url = reverse("supervision:rule_edit", args=["case_due_soon"])
    assert login_redirect(client.get(url))
    client.force_login(personas.manager)
    assert client.get(RULES).status_code == 200  # may read the rules
    assert client.post(url, {"enabled": "on", "level": "red", "threshold": "0"}).status_code == 403
    client.force_login(personas.clerk)
    assert client.get(RULES).status_code == 403
    assert Rule.objects.get(code="case_due_soon").threshold == 1


def test_it_answers_404_for_an_unknown_rule(client, personas):
    client.force_login(personas.supervisor)
    assert client.get(reverse("supervision:rule_edit", args=["no_such_rule"])).status_code == 404


# ---------------------------------------------------------------- the case's cards


def test_it_renders_the_cards_of_a_case_for_the_case_page(personas, clock):
    version = make_item(personas.department, halls=[personas.hall])
    case = make_case(personas, version, promised_due=date(2026, 9, 29), legal_due=date(2026, 9, 29))
    quiet = make_case(personas, version, promised_due=date(2026, 10, 30))
    scan()
    html = Template("{% load supervision %}{% case_cards case %}").render(Context({"case": case}))
    # A yellow card past the promised date, a red one past the legal date.
    assert "黄牌" in html and "红牌" in html and "办件超过承诺时限" in html
    assert "办件超过法定时限" in html
    assert reverse("supervision:alert", args=[Alert.objects.filter(case=case).first().pk]) in html
    html = Template("{% load supervision %}{% case_cards case %}").render(Context({"case": quiet}))
    assert "无" in html
    tag = Template("{% load supervision %}{% cards_for_case case as cards %}{{ cards|length }}")
    assert tag.render(Context({"case": case})) == "2"


def test_it_keeps_the_raised_events_in_the_history_page(client, personas, clock):
    version = make_item(personas.department, halls=[personas.hall])
    make_case(personas, version, promised_due=date(2026, 9, 29))
    scan()
    alert = Alert.objects.get()
    client.force_login(personas.supervisor)
    history = client.get(reverse("supervision:alert", args=[alert.pk])).context["history"]
    assert [e.kind for e in history] == [AlertEvent.Kind.RAISED]
    assert alert.raised_at == local(2026, 9, 30, 10)


# ------------------------------------------------------------- names in the reader's language


def test_the_desk_the_alert_and_the_inbox_show_english_names_in_english(
    client, personas, alert, other_alert
):
    personas.hall.name_en = "Vehicle Registration Sub-centre"
    personas.hall.save()
    personas.department.name_en = "Public Security Bureau"
    personas.department.save()
    chinese = (personas.hall.name, personas.department.name)
    english = (personas.hall.name_en, personas.department.name_en)
    pages = [
        (personas.supervisor, DESK),
        (personas.supervisor, reverse("supervision:desk_counts")),
        (personas.supervisor, reverse("supervision:alert", args=[alert.pk])),
        (personas.handler, INBOX),
    ]
    for user, url in pages:
        client.force_login(user)
        client.cookies.pop("django_language", None)
        body = client.get(url).content.decode()
        assert personas.hall.name in body, url
        client.cookies["django_language"] = "en"
        body = client.get(url).content.decode()
        assert english[0] in body and chinese[0] not in body, url
        if url != reverse("supervision:desk_counts"):
            assert english[1] in body or url == INBOX, url
            assert chinese[1] not in body, url
    # The weekly chart names the halls alike.
    client.force_login(personas.supervisor)
    chart = client.get(DESK).context["chart"]
    assert personas.hall.name_en in [s["name"] for s in chart["series"]]
