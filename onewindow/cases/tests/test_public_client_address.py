"""The status lookup's rate limit counts each client behind the trusted proxy apart."""

import pytest

from onewindow.cases.models import StatusLookupFailure

from .factories import make_case
from .test_public import lookup

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "192.0.2.10"}


def test_visitors_behind_the_proxy_do_not_share_one_bucket(
    client, personas, item, monday, settings
):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    case = make_case(personas, item)
    for n in range(10):
        response = lookup(
            client, case.number, f"WRONG{n:03d}", HTTP_X_FORWARDED_FOR="203.0.113.7", **PROXY
        )
        assert response.status_code == 404
    held = lookup(client, case.number, case.query_code, HTTP_X_FORWARDED_FOR="203.0.113.7", **PROXY)
    assert held.status_code == 429
    assert set(StatusLookupFailure.objects.values_list("client", flat=True)) == {"203.0.113.7"}
    # Another visitor through the same proxy is not held off.
    other = lookup(
        client, case.number, case.query_code, HTTP_X_FORWARDED_FOR="198.51.100.4", **PROXY
    )
    assert other.status_code == 200


def test_a_client_cannot_choose_its_bucket(client, personas, item, monday, settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 1
    case = make_case(personas, item)
    for n in range(10):
        lookup(
            client,
            case.number,
            f"WRONG{n:03d}",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7",
            **PROXY,
        )
    spoofed = lookup(
        client, case.number, case.query_code, HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.7", **PROXY
    )
    assert spoofed.status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, personas, item, monday, settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = 0
    case = make_case(personas, item)
    for n in range(10):
        lookup(client, case.number, f"WRONG{n:03d}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **PROXY)
    held = lookup(client, case.number, case.query_code, HTTP_X_FORWARDED_FOR="10.0.0.99", **PROXY)
    assert held.status_code == 429
    assert set(StatusLookupFailure.objects.values_list("client", flat=True)) == {"192.0.2.10"}
