"""Partner keys: issued once (only a hash kept), tied to a channel, revoked at once, each
step audited; the `onewindow open311 key` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from onewindow.audit.models import AuditEntry
from onewindow.open311.models import PartnerKey
from onewindow.open311.services import PartnerKeyError, issue_key, revoke_key

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_keeps_only_the_hash_of_a_key():
    row, key = issue_key(actor=None, name="12345-hotline", channel="hotline")
    assert key.startswith("o311_") and len(key) > 40
    assert row.key_hash == PartnerKey.hash_key(key) and key not in row.key_hash
    assert PartnerKey.find(key) == row
    assert PartnerKey.find(key + "x") is None
    entry = AuditEntry.objects.get(action="open311.key_created")
    assert key not in str(entry.after) and entry.after["channel"] == "hotline"


def test_a_revoked_key_opens_nothing_and_is_revoked_once():
    row, key = issue_key(actor=None, name="city-app", channel="partner")
    revoke_key(actor=None, key=row)
    assert PartnerKey.find(key) is None
    with pytest.raises(PartnerKeyError):
        revoke_key(actor=None, key=row)
    assert AuditEntry.objects.filter(action="open311.key_revoked").count() == 1


@pytest.mark.parametrize(
    "name, channel",
    [("", "hotline"), ("x" * 41, "hotline"), ("portal", "web"), ("portal", "nosuch")],
)
def test_it_refuses_a_key_without_a_name_or_with_another_channel(name, channel):
    with pytest.raises(PartnerKeyError):
        issue_key(actor=None, name=name, channel=channel)
    assert not PartnerKey.objects.exists() and not AuditEntry.objects.exists()


def test_the_command_creates_lists_and_revokes_keys():
    out, err = run("key", "create", "12345-hotline")
    key = out.strip()
    row = PartnerKey.find(key)
    assert row is not None and row.channel == "hotline" and not row.batch
    assert row.prefix in err
    out, _err = run("key", "create", "city-app", "--channel", "partner", "--batch")
    assert PartnerKey.objects.get(name="city-app").batch
    listing, _err = run("key", "list")
    assert "12345-hotline" in listing and "city-app" in listing and key not in listing
    out, _err = run("key", "revoke", f"o311_{row.prefix}")
    assert "12345-hotline" in out
    assert PartnerKey.find(key) is None
    assert "revoked" in run("key", "list")[0] or "已吊销" in run("key", "list")[0]


@pytest.mark.parametrize(
    "args",
    [
        ("key", "create", "dup"),
        ("key", "create", "other", "--channel", "web"),
        ("key", "revoke", "o311_nosuch"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(args):
    issue_key(actor=None, name="dup", channel="hotline")
    with pytest.raises(CommandError):
        run(*args)
    assert PartnerKey.objects.count() == 1
