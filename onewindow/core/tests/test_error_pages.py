"""Error pages in the platform's look and the visitor's language, not Django's defaults."""

import pytest
from django.test import override_settings
from django.urls import path

from onewindow.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a fault")


urlpatterns = [*project_urls, path("boom/", boom)]

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_it_answers_an_unknown_address_with_its_own_404_page(client):
    response = client.get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and 'id="error-page"' in body
    assert "没有这个页面" in body
    client.cookies["django_language"] = "en"
    english = client.get("/no/such/page/").content.decode()
    assert "Page not found" in english and "没有这个页面" not in english


@override_settings(DEBUG=False)
def test_it_answers_a_forbidden_page_with_its_own_403_page(client, personas):
    client.force_login(personas.outsider)  # a window clerk: the audit log is not theirs
    response = client.get("/staff/audit/")
    body = response.content.decode()
    assert response.status_code == 403 and 'id="error-page"' in body and "无权" in body


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_it_answers_a_fault_with_its_own_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500 and 'id="error-page"' in body and "出错" in body
    assert "Traceback" not in body
