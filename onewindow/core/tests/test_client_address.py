"""The client address behind the trusted proxies: X-Forwarded-For only through them."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import client_ip, record
from onewindow.core.http import client_address
from onewindow.settings import env_int


def _request(forwarded=None, remote="192.0.2.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_it_ignores_the_header_without_trusted_proxies(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 0
    assert client_address(_request("203.0.113.7")) == "192.0.2.1"
    assert client_address(_request()) == "192.0.2.1"


def test_it_takes_the_address_the_proxy_saw(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    assert client_address(_request("203.0.113.7")) == "203.0.113.7"
    # The client's own entries stand left of the proxy's and decide nothing.
    assert client_address(_request("10.0.0.1, 8.8.8.8, 203.0.113.7")) == "203.0.113.7"
    assert client_address(_request(" 10.0.0.1 ,203.0.113.7 ")) == "203.0.113.7"


def test_it_takes_the_nth_address_from_the_right_behind_two_proxies(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 2
    # client → outer proxy (appends the client) → inner proxy (appends the outer) → us
    assert client_address(_request("203.0.113.7, 198.51.100.2")) == "203.0.113.7"
    assert client_address(_request("6.6.6.6, 203.0.113.7, 198.51.100.2")) == "203.0.113.7"
    # Past the inner proxy alone, its one entry is the client.
    assert client_address(_request("203.0.113.9")) == "203.0.113.9"


def test_it_falls_back_to_the_peer_without_a_usable_entry(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    assert client_address(_request()) == "192.0.2.1"
    assert client_address(_request("")) == "192.0.2.1"
    assert client_address(_request(" , ")) == "192.0.2.1"
    assert client_address(_request("1.2.3.4, not-an-address")) == "192.0.2.1"
    assert client_address(_request("1.2.3.4", remote="")) == "1.2.3.4"
    assert client_address(_request(None, remote="")) is None


def test_it_gives_ipv6_addresses_in_one_form(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    assert client_address(_request("2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"


@pytest.mark.django_db
def test_the_audit_log_records_the_client_not_the_proxy(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    request = _request("6.6.6.6, 203.0.113.7", remote="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"
    entry = record(actor=None, action="test.address", object_repr="x", request=request)
    assert AuditEntry.objects.get(pk=entry.pk).ip == "203.0.113.7"
    settings.ONEWINDOW_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    assert client_ip(None) is None


def test_the_settings_refuse_a_count_that_is_not_a_number(monkeypatch):
    monkeypatch.setenv("ONEWINDOW_TRUSTED_PROXIES", "two")
    with pytest.raises(ImproperlyConfigured, match="ONEWINDOW_TRUSTED_PROXIES"):
        env_int("ONEWINDOW_TRUSTED_PROXIES", 0)
    monkeypatch.setenv("ONEWINDOW_TRUSTED_PROXIES", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("ONEWINDOW_TRUSTED_PROXIES", 0)
    monkeypatch.setenv("ONEWINDOW_TRUSTED_PROXIES", " 2 ")
    assert env_int("ONEWINDOW_TRUSTED_PROXIES", 0) == 2
    monkeypatch.delenv("ONEWINDOW_TRUSTED_PROXIES")
    assert env_int("ONEWINDOW_TRUSTED_PROXIES", 0) == 0
