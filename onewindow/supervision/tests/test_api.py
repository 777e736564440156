"""GET /api/v1/alerts (filters, scope), the detail, and the explain / correct / close / uphold actions."""

import pytest

from onewindow.accounts.models import ApiToken
from onewindow.audit.models import AuditEntry
from onewindow.supervision.models import Alert

from .factories import make_alert, make_case, make_item

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts"


class Api:
    def __init__(self, client, user):
        self.client = client
        _token, key = ApiToken.issue(user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path="", **params):
        return self.client.get(URL + path, params, **self.headers)

    def post(self, path, body):
        return self.client.post(URL + path, body, content_type="application/json", **self.headers)


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


@pytest.fixture
def alert(personas):
    return make_alert(personas, responsible=personas.handler)


@pytest.fixture
def other_alert(personas):
    version = make_item(personas.other_department, halls=[personas.other_hall])
    case = make_case(
        personas, version, hall=personas.other_hall, department=personas.other_department
    )
    return make_alert(personas, case, responsible=personas.outsider, code="case_due_soon")


def test_it_lists_alerts_for_the_supervision_office(api, personas, alert, other_alert):
    response = api(personas.supervisor).get()
    assert response.status_code == 200
    rows = response.json()
    assert {r["id"] for r in rows} == {alert.pk, other_alert.pk}
    row = next(r for r in rows if r["id"] == alert.pk)
    assert row["rule"] == "case_overdue" and row["level"] == "yellow" and row["status"] == "raised"
    assert row["case_number"] == alert.case.number
    assert row["hall"] == "CG" and row["department"] == "GA" and row["responsible"] == "handler"
    assert "2026-09-30" in row["summary"]


def test_it_filters_the_api_list(api, personas, alert, other_alert):
    client = api(personas.supervisor)

    def ids(**params):
        response = client.get(**params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()}

    assert ids(level="warning") == {other_alert.pk}
    assert ids(level="yellow") == {alert.pk}
    assert ids(hall="CG") == {alert.pk}
    assert ids(status="raised") == {alert.pk, other_alert.pk}
    assert ids(status="closed") == set()
    assert ids(rule="case_due_soon") == {other_alert.pk}
    assert ids(since="2000-01-01") == {alert.pk, other_alert.pk}
    assert ids(since="2999-01-01") == set()
    assert len(client.get(limit="1").json()) == 1
    assert len(client.get(limit="1", offset="1").json()) == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"level": "purple"}, "purple"),
        ({"status": "lost"}, "lost"),
        ({"hall": "XX"}, "XX"),
        ({"since": "last week"}, "YYYY-MM-DD"),
    ],
)
def test_it_answers_400_to_a_bad_filter(api, personas, alert, params, message):
    response = api(personas.supervisor).get(**params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert message in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "many"}, "limit"),
        ({"limit": "9999"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": str(2**31)}, "offset"),
        ({"offset": str(10**30)}, "offset"),
    ],
)
def test_it_answers_422_to_bad_paging(api, personas, alert, params, field):
    response = api(personas.supervisor).get(**params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("alert_id", ["abc", "-1", "0", str(2**63)])
def test_it_answers_422_to_an_alert_id_that_cannot_be_one(api, personas, alert_id):
    response = api(personas.supervisor).get(f"/{alert_id}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["alert_id"]


def test_it_scopes_the_api_list_to_the_users_halls_and_answers(api, personas, alert, other_alert):
    assert {r["id"] for r in api(personas.manager).get().json()} == {alert.pk}
    assert {r["id"] for r in api(personas.outsider).get().json()} == {other_alert.pk}
    assert api(personas.handler).get().json()[0]["id"] == alert.pk
    assert api(personas.clerk).get().json() == []  # same hall, answers for nothing
    assert api(personas.manager).get(hall="MZ").status_code == 400  # not a hall they see


def test_it_refuses_the_api_without_authentication(client, alert):
    assert client.get(URL).status_code == 401
    assert (
        client.post(
            f"{URL}/{alert.pk}/close", {"note": "x"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_it_shows_one_alert_with_its_history(api, personas, alert):
    response = api(personas.supervisor).get(f"/{alert.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alert.pk
    assert [e["kind"] for e in body["events"]] == ["raised"]


def test_it_answers_404_for_another_halls_alert_and_403_for_a_colleague(
    api, personas, alert, other_alert
):
    assert api(personas.manager).get(f"/{other_alert.pk}").status_code == 404
    assert api(personas.manager).get("/999999").status_code == 404
    response = api(personas.clerk).get(f"/{alert.pk}")
    assert response.status_code == 403 and response.json()["code"] == "not_permitted"


def test_it_lets_the_responsible_person_explain_over_the_api(api, personas, alert):
    response = api(personas.handler).post(f"/{alert.pk}/explain", {"note": "系统故障导致延误"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "explained" and body["answer_note"] == "系统故障导致延误"
    assert [e["kind"] for e in body["events"]] == ["raised", "explained"]
    assert AuditEntry.objects.filter(action="alert.explained", actor=personas.handler).exists()


def test_it_lets_the_hall_manager_report_a_correction_over_the_api(api, personas, alert):
    response = api(personas.manager).post(f"/{alert.pk}/correct", {"note": "已整改"})
    assert response.status_code == 200 and response.json()["status"] == "corrected"


def test_it_lets_the_supervision_office_close_and_uphold_over_the_api(api, personas, alert):
    second = make_alert(personas)
    client = api(personas.supervisor)
    assert client.post(f"/{alert.pk}/close", {"note": "说明合理"}).json()["status"] == "closed"
    assert (
        client.post(f"/{second.pk}/uphold", {"note": "无正当理由超期"}).json()["status"] == "upheld"
    )
    assert AuditEntry.objects.filter(action__in=["alert.closed", "alert.upheld"]).count() == 2


def test_it_refuses_to_close_without_a_note_over_the_api(api, personas, alert):
    for body in ({"note": ""}, {"note": "  "}, {}):
        response = api(personas.supervisor).post(f"/{alert.pk}/close", body)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and response.json()["message"]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED
    assert not AuditEntry.objects.filter(action__startswith="alert.").exists()


def test_it_refuses_close_and_uphold_to_people_without_supervision_rights(api, personas, alert):
    for user in (personas.handler, personas.manager, personas.admin):
        for action in ("close", "uphold"):
            response = api(user).post(f"/{alert.pk}/{action}", {"note": "我来关闭"})
            assert response.status_code == 403
            assert response.json()["message"]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED


def test_it_answers_409_when_the_alert_is_past_that_step(api, personas, alert):
    api(personas.supervisor).post(f"/{alert.pk}/uphold", {"note": "违规"})
    response = api(personas.handler).post(f"/{alert.pk}/explain", {"note": "迟到的说明"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and response.json()["message"]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.UPHELD and alert.answer_note == ""


def test_it_answers_422_to_a_body_that_is_not_json(client, personas, alert):
    _token, key = ApiToken.issue(personas.supervisor)
    response = client.post(
        f"{URL}/{alert.pk}/close",
        "note=x",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RAISED
