"""The public catalogue API: published items only, filters, pagination, everything per item."""

import pytest

from onewindow.catalogue import services
from onewindow.catalogue.models import ItemType

from .factories import make_content, make_item, make_published

pytestmark = pytest.mark.django_db


def codes(response):
    return sorted(row["implementation_code"] for row in response.json()["items"])


@pytest.fixture
def catalogue(personas):
    return {
        "car": make_published(
            personas.department, [personas.hall], code="GA-1", name="机动车注册登记", fees=1
        ),
        "licence": make_published(
            personas.department,
            [personas.hall, personas.centre],
            code="GA-2",
            name="驾驶证补领",
            immediate=True,
            fees=0,
        ),
        "marriage": make_published(
            personas.other_department,
            [personas.other_hall],
            code="MZ-1",
            name="结婚登记",
            fees=0,
            item_type=ItemType.CONFIRMATION,
        ),
        "draft": make_item(
            personas.department, [personas.hall], code="GA-3", name="机动车抵押登记"
        ),
    }


def test_it_lists_published_items_without_sign_in(client, catalogue):
    response = client.get("/api/v1/items")
    assert response.status_code == 200
    assert codes(response) == ["GA-1", "GA-2", "MZ-1"]
    assert response.json()["count"] == 3
    row = next(r for r in response.json()["items"] if r["implementation_code"] == "GA-1")
    assert row["name"] == "机动车注册登记"
    assert row["pinyin_initials"] == "JDCZCDJ"
    assert row["department"] == "GA"
    assert row["halls"] == [{"code": "CG", "name": "车辆管理分中心"}]
    assert row["has_fees"] is True
    assert row["immediate"] is False
    assert row["guide_url"] == "/guide/items/GA-1/"


FILTERS = [
    ({"hall": "CG"}, ["GA-1", "GA-2"]),
    ({"hall": "zx"}, ["GA-2"]),
    ({"department": "MZ"}, ["MZ-1"]),
    ({"type": "07"}, ["MZ-1"]),
    ({"immediate": "true"}, ["GA-2"]),
    ({"immediate": "false"}, ["GA-1", "MZ-1"]),
    ({"q": "JDC"}, ["GA-1"]),
    ({"q": "登记"}, ["GA-1", "MZ-1"]),
    ({"q": "jiashizheng"}, ["GA-2"]),
    ({"q": "GA-2"}, ["GA-2"]),
    ({"hall": "CG", "immediate": "false", "q": "jdc"}, ["GA-1"]),
]


def test_it_filters_items(client, catalogue):
    for query, expected in FILTERS:
        assert codes(client.get("/api/v1/items", query)) == expected, query


def test_it_paginates(client, catalogue):
    first = client.get("/api/v1/items", {"page_size": 2})
    second = client.get("/api/v1/items", {"page_size": 2, "page": 2})
    assert len(first.json()["items"]) == 2
    assert len(second.json()["items"]) == 1
    assert first.json()["count"] == 3


def test_it_refuses_a_bad_filter_value(client, catalogue):
    assert client.get("/api/v1/items", {"immediate": "maybe"}).status_code == 422


def test_it_returns_one_item_with_everything(client, catalogue):
    response = client.get("/api/v1/items/GA-1")
    assert response.status_code == 200
    data = response.json()
    version = catalogue["car"]
    assert data["legal_basis"] == version.legal_basis
    assert data["legal_limit_days"] == 20
    assert data["promised_limit_days"] == 5
    assert data["consult_phone"] == "0512-58680001"
    assert data["complaint_phone"] == "12345"
    assert data["max_extension_days"] == 10
    assert data["version"] == 1
    assert [m["name"] for m in data["materials"]] == ["机动车所有人身份证明", "机动车来历证明"]
    assert data["materials"][1]["may_follow_later"] is True
    assert [s["name"] for s in data["steps"]] == ["受理", "审核", "审批"]
    assert data["steps"][0]["role"] == "handler"
    assert data["fees"] == [
        {
            "id": version.fees.get().pk,
            "name": "工本费1",
            "amount": "10.00",
            "standard": "10元/证",
            "basis": "《行政事业性收费标准管理办法》",
            "waivable": False,
            "waiver_condition": "",
            "reduced_amount": None,
            "reduced_condition": "",
            "per_copy_amount": None,
        }
    ]
    assert data["published_at"]


def test_it_returns_the_version_in_force_while_a_new_one_is_drafted(client, catalogue, personas):
    draft = services.new_draft_from_published(actor=None, item=catalogue["car"].item)
    services.save_draft(
        actor=None, version=draft, content=make_content([personas.hall], name="改名中")
    )
    data = client.get("/api/v1/items/GA-1").json()
    assert data["name"] == "机动车注册登记"
    assert data["version"] == 1


def test_it_404s_unpublished_and_unknown_items(client, catalogue):
    assert client.get("/api/v1/items/GA-3").status_code == 404
    assert client.get("/api/v1/items/NOPE").status_code == 404


def test_it_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/items" in paths
    assert "/api/v1/items/{implementation_code}" in paths
    params = {p["name"] for p in paths["/api/v1/items"]["get"]["parameters"]}
    assert {"hall", "department", "type", "immediate", "q", "page"} <= params
