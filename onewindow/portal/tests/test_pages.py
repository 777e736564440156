import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_public_home_is_in_chinese_by_default(client, personas):
    body = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="zh-hans">' in body
    assert "张家港市" in body and personas.hall.name in body


def test_the_public_home_switches_to_english(client, personas):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in body
    assert "Zhangjiagang" in body and "Administrative Service Centre" in body


def test_the_language_switch_in_the_header_is_a_get_that_goes_back(client, personas):
    home = client.get(reverse("portal:home")).content.decode()
    assert 'id="language-form"' in home and 'method="get"' in home
    response = client.get(reverse("portal:switch_language"), {"language": "en", "next": "/guide/"})
    assert (response.status_code, response["Location"]) == (302, "/guide/")
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("portal:home")).content.decode()
    # Another site as the way back, or a language the site does not speak: home, Chinese.
    response = client.get(
        reverse("portal:switch_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert (response["Location"], response.cookies["django_language"].value) == ("/", "zh-hans")


def test_the_city_is_configurable(client, personas, settings):
    settings.ONEWINDOW_CITY_NAME = "苏州市"
    assert "苏州市" in client.get(reverse("portal:home")).content.decode()


def test_the_staff_home_shows_halls_and_roles(client, personas):
    client.force_login(personas.clerk)
    body = client.get(reverse("portal:staff_home")).content.decode()
    assert personas.hall.name in body and "窗口收件人员" in body or "窗口" in body
    assert personas.other_hall.name not in body


def test_assets_are_served_locally(client, personas):
    body = client.get(reverse("portal:home")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in body
    assert "http://" not in body.split("<body")[0].replace("http://127.0.0.1", "")
    assert "https://" not in body.split("<body")[0]


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ONEWINDOW_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "ONEWINDOW_AUDIT_KEY": "audit-key-of-its-own-" + "0123456789abcdef" * 2,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "onewindow.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "onewindow.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_english_browser_still_gets_chinese_until_it_switches(client, personas):
    body = client.get(
        reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert '<html lang="zh-hans">' in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in body


def test_pages_say_their_language_and_what_it_depends_on(client, personas):
    """The locale middleware's answer headers (it assumes that no URL carries a language
    prefix, which it checks no more on each request)."""
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (False, False)
    response = client.get(reverse("portal:home"))
    assert response["Content-Language"] == "zh-hans"
    assert "Accept-Language" in response["Vary"]
    client.cookies["django_language"] = "en"
    assert client.get("/no-such-page/")["Content-Language"] == "en"


def test_the_staff_home_counts_what_needs_attention(client, personas):
    from datetime import timedelta

    from django.utils import timezone

    from onewindow.cases.models import Case
    from onewindow.cases.tests.factories import make_case, make_item

    case = make_case(personas, make_item(personas.department, [personas.hall]))
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.ACCEPTED,
        current_assignee=personas.clerk,
        promised_due_date=timezone.localdate() - timedelta(days=3),
    )
    client.force_login(personas.clerk)
    response = client.get(reverse("portal:staff_home"))
    counts = {item["label"]: item["count"] for item in response.context["attention"]}
    assert list(counts.values())[:2] == [1, 1]
    client.force_login(personas.outsider)
    counts = [i["count"] for i in client.get(reverse("portal:staff_home")).context["attention"]]
    assert counts[:2] == [0, 0]


def test_the_staff_home_counts_only_the_alerts_that_wait_for_an_answer(client, personas):
    """A pre-due warning (预警) needs no answer: it is not counted; an answered card neither."""
    from onewindow.supervision.models import Alert
    from onewindow.supervision.tests.factories import make_alert

    card = make_alert(personas, code="case_overdue", responsible=personas.handler)
    make_alert(personas, code="legal_overdue", responsible=personas.handler)
    make_alert(personas, code="case_due_soon", responsible=personas.handler)
    make_alert(personas, code="step_due_soon", responsible=personas.handler)
    make_alert(
        personas,
        code="case_overdue",
        responsible=personas.handler,
        status=Alert.Status.EXPLAINED,
    )
    assert Alert.objects.filter(level="warning").count() == 2
    client.force_login(personas.handler)
    attention = client.get(reverse("portal:staff_home")).context["attention"]
    [alerts] = [item for item in attention if item["url"] == reverse("supervision:inbox")]
    assert alerts["count"] == 2
    card.status = Alert.Status.CLOSED
    card.save()
    attention = client.get(reverse("portal:staff_home")).context["attention"]
    assert [i["count"] for i in attention if i["url"] == reverse("supervision:inbox")] == [1]


def language_options(body: str) -> list[str]:
    select = body.split('id="language-form"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option [^>]*>([^<]+)</option>", select)


def test_it_names_each_language_in_that_language(client, personas):
    assert language_options(client.get("/").content.decode()) == ["简体中文", "English"]
    client.cookies["django_language"] = "en"
    assert language_options(client.get("/").content.decode()) == ["简体中文", "English"]


def test_it_shows_the_english_names_of_halls_in_english(client, personas):
    personas.hall.name_en = "Vehicle Registration Sub-centre"
    personas.hall.save()
    client.force_login(personas.clerk)
    assert "车辆管理分中心" in client.get(reverse("portal:staff_home")).content.decode()
    client.cookies["django_language"] = "en"
    body = client.get(reverse("portal:staff_home")).content.decode()
    assert "Vehicle Registration Sub-centre" in body and "车辆管理分中心" not in body


def test_the_guide_and_fee_pages_show_english_names_of_halls_and_departments(client, personas):
    from onewindow.catalogue.tests.factories import make_published

    personas.hall.name_en = "Vehicle Registration Sub-centre"
    personas.hall.save()
    personas.department.name_en = "Public Security Bureau"
    personas.department.save()
    version = make_published(personas.department, [personas.hall], fees=1)
    guide = reverse("guide:detail", args=[version.item.implementation_code])
    # url: whether the page names halls (the fee list names departments only)
    urls = {guide: True, reverse("guide:index"): True, reverse("guide:fees"): False}
    for url, hall in urls.items():
        body = client.get(url).content.decode()
        assert personas.department.name in body, url
        client.cookies["django_language"] = "en"
        body = client.get(url).content.decode()
        del client.cookies["django_language"]
        assert personas.department.name not in body, url
        assert "Public Security Bureau" in body, url
        if hall:
            assert "Vehicle Registration Sub-centre" in body, url
            assert personas.hall.name not in body, url


def test_the_public_home_links_to_the_status_lookup_and_the_status_to_guide_and_fees(
    client, personas
):
    from onewindow.cases.tests.factories import make_accepted_case, make_item

    home = client.get(reverse("portal:home")).content.decode()
    link = re.search(r'<a href="([^"]+)" id="home-status-link">', home)
    assert link and link.group(1) == reverse("status:lookup")
    assert client.get(link.group(1)).status_code == 200

    item = make_item(personas.department, [personas.hall])
    case = make_accepted_case(personas, item)
    answer = client.get(link.group(1), {"number": case.number, "code": case.query_code})
    body = answer.content.decode()
    assert answer.status_code == 200 and case.number in body
    guide = re.search(r'<a href="([^"]+)" id="status-guide">', body)
    fees = re.search(r'<a href="([^"]+)" id="status-fees">', body)
    assert guide and guide.group(1) == reverse("guide:detail", args=[item.implementation_code])
    assert fees and fees.group(1) == reverse("guide:fees")
    assert client.get(guide.group(1)).status_code == 200
    assert client.get(fees.group(1)).status_code == 200
