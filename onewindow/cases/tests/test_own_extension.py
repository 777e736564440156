"""Nobody approves their own extension, through the API as through the services: an
approver who asked for it gets 403 and the dates do not move; another approver decides."""

import pytest

from .factories import make_accepted_case
from .test_api import Api

pytestmark = [pytest.mark.django_db]


def test_an_approver_cannot_approve_the_extension_they_asked_for(client, personas, item, monday):
    api = Api(client)
    case = make_accepted_case(personas, item)
    status, body = api.post(
        personas.approver,
        f"/cases/{case.number}/extend",
        {"version": case.version, "days": 5, "reason": "需现场核查"},
    )
    assert status == 200, body
    decision = f"/cases/{case.number}/extension/decision"
    status, refused = api.post(
        personas.approver, decision, {"version": body["version"], "approve": True}
    )
    assert (status, refused["code"]) == (403, "not_permitted")
    assert "other than its requester" in refused["message"]
    status, chinese = api.post(
        personas.approver, decision, {"version": body["version"], "approve": True}, lang="zh-hans"
    )
    assert status == 403 and chinese["message"] != refused["message"]
    case.refresh_from_db()
    assert (case.extension_days, case.version) == (0, body["version"])
    # The hall manager, an approver of the hall too, decides it.
    status, body = api.post(
        personas.manager, decision, {"version": body["version"], "approve": True}
    )
    assert (status, body["extension_days"]) == (200, 5)
