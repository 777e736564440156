"""Public guides: only versions in force, search by name and pinyin, guide page, fee list."""

import pytest
from django.urls import reverse

from onewindow.catalogue import services
from onewindow.catalogue.models import ItemType

from .factories import make_content, make_item, make_published

pytestmark = pytest.mark.django_db


def names(response):
    return sorted(v.name for v in response.context["page"])


def test_it_finds_items_by_name_pinyin_initials_and_full_pinyin(client, personas):
    make_published(personas.department, [personas.hall], name="机动车注册登记")
    make_published(personas.other_department, [personas.other_hall], name="结婚登记", fees=0)
    url = reverse("guide:index")
    assert names(client.get(url, {"q": "注册"})) == ["机动车注册登记"]
    assert names(client.get(url, {"q": "JDCZCDJ"})) == ["机动车注册登记"]
    assert names(client.get(url, {"q": "jdczcdj"})) == ["机动车注册登记"]
    assert names(client.get(url, {"q": "jdc"})) == ["机动车注册登记"]
    assert names(client.get(url, {"q": "jiehun"})) == ["结婚登记"]
    assert names(client.get(url, {"q": "DJ"})) == ["机动车注册登记", "结婚登记"]
    assert names(client.get(url, {"q": "XYZ"})) == []


def test_it_finds_items_by_code(client, personas):
    make_published(personas.department, [personas.hall], code="320582-GA-001")
    response = client.get(reverse("guide:index"), {"q": "320582-ga-001"})
    assert response.context["page"].paginator.count == 1


def test_it_filters_by_department_hall_type_and_handling(client, personas):
    make_published(personas.department, [personas.hall], name="机动车注册登记")
    make_published(personas.department, [personas.hall], name="驾驶证补领", immediate=True)
    make_published(
        personas.other_department,
        [personas.other_hall, personas.centre],
        name="结婚登记",
        item_type=ItemType.CONFIRMATION,
    )
    url = reverse("guide:index")
    assert names(client.get(url, {"department": "MZ"})) == ["结婚登记"]
    assert names(client.get(url, {"hall": "ZX"})) == ["结婚登记"]
    assert names(client.get(url, {"hall": "CG"})) == ["机动车注册登记", "驾驶证补领"]
    assert names(client.get(url, {"type": "07"})) == ["结婚登记"]
    assert names(client.get(url, {"immediate": "1"})) == ["驾驶证补领"]
    assert names(client.get(url, {"immediate": "0", "department": "GA"})) == ["机动车注册登记"]


def test_it_shows_only_versions_in_force(client, personas):
    make_item(personas.department, [personas.hall], name="草稿事项")
    published = make_published(personas.department, [personas.hall], name="已公布事项")
    draft = services.new_draft_from_published(actor=None, item=published.item)
    services.save_draft(
        actor=None, version=draft, content=make_content([personas.hall], name="修改中的名称")
    )
    response = client.get(reverse("guide:index"))
    assert names(response) == ["已公布事项"]
    body = response.content.decode()
    assert "草稿事项" not in body
    assert "修改中的名称" not in body
    guide = client.get(reverse("guide:detail", args=[published.item.implementation_code]))
    assert guide.context["version"] == published
    assert "修改中的名称" not in guide.content.decode()


def test_it_404s_the_guide_of_an_unpublished_item(client, personas):
    draft = make_item(personas.department, [personas.hall])
    assert (
        client.get(reverse("guide:detail", args=[draft.item.implementation_code])).status_code
        == 404
    )
    assert client.get(reverse("guide:detail", args=["NO-SUCH"])).status_code == 404


def test_the_guide_shows_everything_and_prints(client, personas):
    version = make_published(personas.department, [personas.hall], fees=2)
    response = client.get(reverse("guide:detail", args=[version.item.implementation_code]))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        version.name,
        version.legal_basis,
        version.conditions,
        version.item.catalogue_code,
        version.result_name,
        version.consult_phone,
        version.complaint_phone,
        personas.hall.name,
        "机动车所有人身份证明",
        "机动车来历证明",
        "受理",
        "工本费1",
        "工本费2",
        "10元/证",
        "《行政事业性收费标准管理办法》",
    ]:
        assert text in body, text
    assert 'id="print-guide"' in body
    assert "catalogue/guide.css" in body
    assert 'id="guide-legal-limit"' in body


def test_the_guide_says_free_of_charge_when_there_are_no_fees(client, personas):
    version = make_published(personas.department, [personas.hall], fees=0)
    response = client.get(reverse("guide:detail", args=[version.item.implementation_code]))
    assert 'id="no-fees"' in response.content.decode()


def test_the_fee_list_shows_every_published_fee_with_its_basis(client, personas):
    published = make_published(personas.department, [personas.hall], name="机动车注册登记", fees=2)
    make_item(personas.department, [personas.hall], name="草稿收费事项", fees=1)
    response = client.get(reverse("guide:fees"))
    fees = list(response.context["fees"])
    assert [f.version for f in fees] == [published, published]
    body = response.content.decode()
    assert "《行政事业性收费标准管理办法》" in body
    assert "草稿收费事项" not in body


def test_the_home_page_links_to_the_guides(client, personas):
    body = client.get(reverse("portal:home")).content.decode()
    assert reverse("guide:index") in body
    assert reverse("guide:fees") in body
    assert 'name="q"' in body


def test_the_public_pages_work_in_english(english, personas):
    version = make_published(personas.department, [personas.hall], fees=1)
    for url in [
        reverse("guide:index"),
        reverse("guide:detail", args=[version.item.implementation_code]),
        reverse("guide:fees"),
    ]:
        response = english.get(url)
        assert response.status_code == 200
        assert 'lang="en"' in response.content.decode()
    body = english.get(
        reverse("guide:detail", args=[version.item.implementation_code])
    ).content.decode()
    assert "Legal basis" in body
    assert "Materials to bring" in body


def test_the_public_pages_are_in_chinese_by_default(client, personas):
    version = make_published(personas.department, [personas.hall])
    body = client.get(
        reverse("guide:detail", args=[version.item.implementation_code])
    ).content.decode()
    assert "设定依据" in body
    assert "申请材料" in body


def test_the_guide_list_keeps_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    for n in range(12):
        make_published(personas.department, [personas.hall, personas.centre], name=f"事项{n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("guide:index"))
    assert response.context["page"].paginator.count == 12
