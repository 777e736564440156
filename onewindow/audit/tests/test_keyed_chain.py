"""The keyed chain and its signed checkpoint, tried as someone who can write the database
but holds neither the key nor the checkpoint file."""

import hashlib
import hmac
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from onewindow.audit import checkpoint as checkpoint_file
from onewindow.audit.checks import check_audit_key
from onewindow.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from onewindow.audit.services import ChainBroken, record, verify_chain, write_checkpoint
from onewindow.core.worker import run_job

pytestmark = pytest.mark.django_db


def _rows(personas, n=5):
    for i in range(n):
        record(actor=personas.admin, action="test.did", object_type="thing", object_id=str(i))


def _recompute_without_key(from_seq, *, scheme=None, key=None):
    """What an attacker with database access does: recompute every hash from a row on,
    with plain SHA-256 (or HMAC under a key of their own), and move the head along."""
    prev = AuditEntry.objects.get(seq=from_seq - 1).hash if from_seq > 1 else GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        entry.prev_hash = prev
        if scheme is not None:
            entry.scheme = scheme
        text = entry.canonical().encode()
        entry.hash = (
            hmac.new(key, text, hashlib.sha256).hexdigest()
            if key
            else hashlib.sha256(text).hexdigest()
        )
        AuditEntry.objects.filter(pk=entry.pk).update(
            prev_hash=entry.prev_hash, hash=entry.hash, scheme=entry.scheme
        )
        prev = entry.hash
    last = AuditEntry.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(last_seq=last.seq, last_hash=prev)


def _verify(capsys, *args):
    """Run `audit verify` in English; (exit code, stdout, stderr)."""
    with translation.override("en"):
        try:
            call_command("audit", "verify", *args)
            code = 0
        except SystemExit as exc:
            code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_it_keys_every_new_row(personas):
    _rows(personas, 2)
    entry = AuditEntry.objects.get(seq=2)
    assert entry.scheme == AuditEntry.Scheme.KEYED
    key = settings.ONEWINDOW_AUDIT_KEY.encode()
    expected = hmac.new(key, entry.canonical().encode(), hashlib.sha256).hexdigest()
    assert entry.hash == expected
    assert entry.hash != hashlib.sha256(entry.canonical().encode()).hexdigest()


def test_record_takes_one_head_lock_and_one_insert(personas, django_assert_num_queries):
    _rows(personas, 1)
    # the head locked and read, the row inserted, the head moved on
    with django_assert_num_queries(3):
        record(actor=None, action="test.fast", object_type="thing")


def test_a_row_changed_and_rehashed_without_the_key_is_named(personas, capsys):
    _rows(personas)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET note = 'nothing happened' WHERE seq = 3")
    _recompute_without_key(3)
    code, _out, err = _verify(capsys)
    assert code == 1
    assert "audit log broken at row 3 (altered)" in err
    assert "2 rows before it verified" in err


def test_a_chain_rehashed_under_another_key_fails(personas, capsys):
    _rows(personas)
    AuditEntry.objects.filter(seq=2).update(actor_name="someone else")
    _recompute_without_key(2, key=b"the attacker's own key")
    code, _out, err = _verify(capsys)
    assert code == 1 and "row 2" in err


def test_the_key_changes_every_hash(personas, settings):
    _rows(personas, 2)
    settings.ONEWINDOW_AUDIT_KEY = "another key altogether, 0123456789abcdef"
    checked, problem = verify_chain()
    assert checked == 0 and problem.seq == 1


def test_the_newest_rows_deleted_with_the_head_fail_against_the_checkpoint(personas, capsys):
    _rows(personas, 5)
    write_checkpoint()
    AuditEntry.objects.filter(seq__gte=4).delete()
    _recompute_without_key(3)  # the head moved back to row 3, as an attacker would
    AuditEntry.objects.filter(seq=3).update(hash=AuditEntry.objects.get(seq=3).compute_hash())
    AuditHead.objects.filter(pk=1).update(last_seq=3, last_hash=AuditEntry.objects.get(seq=3).hash)
    assert verify_chain() == (3, None)  # the database alone cannot tell
    code, _out, err = _verify(capsys)
    assert code == 1
    assert "audit log broken at row 4 (truncated)" in err
    assert "rows 4..5 are missing" in err


def test_a_checkpoint_copy_kept_elsewhere_is_used(personas, capsys, tmp_path):
    _rows(personas, 3)
    copy = tmp_path / "offsite.json"
    write_checkpoint(copy)
    AuditEntry.objects.filter(seq=3).delete()
    AuditHead.objects.filter(pk=1).update(last_seq=2, last_hash=AuditEntry.objects.get(seq=2).hash)
    code, _out, err = _verify(capsys, "--checkpoint", str(copy))
    assert code == 1 and "row 3 (truncated)" in err


def test_an_intact_chain_verifies_against_its_checkpoint(personas, capsys):
    _rows(personas, 3)
    call_command("audit", "checkpoint")
    _rows(personas, 2)  # rows written after the checkpoint are verified too
    code, out, err = _verify(capsys)
    assert code == 0, err
    assert "audit log intact: 5 rows verified" in out
    assert "checkpoint of" in out and "(row 3)" in out


def test_without_a_checkpoint_it_verifies_and_warns(personas, capsys):
    _rows(personas, 2)
    code, out, err = _verify(capsys)
    assert code == 0 and "2 rows verified" in out
    assert "warning: no checkpoint" in err


def test_it_speaks_chinese_by_default(personas, capsys):
    _rows(personas, 2)
    with translation.override("zh-hans"):
        call_command("audit", "verify")
    assert "审计日志完整" in capsys.readouterr().out


def test_a_forged_checkpoint_fails(personas, capsys, _checkpoint_in_tmp):
    _rows(personas, 3)
    write_checkpoint()
    data = json.loads(_checkpoint_in_tmp.read_text())
    data["seq"] = 2  # to hide row 3's deletion
    data["hash"] = AuditEntry.objects.get(seq=2).hash
    _checkpoint_in_tmp.write_text(json.dumps(data))
    code, _out, err = _verify(capsys)
    assert code == 1
    assert "does not match the audit key" in err


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[]", '{"version": 1, "seq": "3"}', '{"version": 9}'],
)
def test_a_checkpoint_that_is_not_one_fails(personas, capsys, _checkpoint_in_tmp, text):
    _rows(personas, 1)
    _checkpoint_in_tmp.parent.mkdir(parents=True, exist_ok=True)
    _checkpoint_in_tmp.write_text(text)
    code, _out, err = _verify(capsys)
    assert code == 1
    assert "audit log not verified" in err and "checkpoint" in err


def test_a_checkpoint_file_named_but_missing_is_an_error(personas, tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="no checkpoint file"):
        call_command("audit", "verify", "--checkpoint", str(tmp_path / "nowhere.json"))


def test_no_checkpoint_is_signed_over_a_broken_chain(personas, capsys, _checkpoint_in_tmp):
    _rows(personas, 3)
    first = write_checkpoint()
    before = _checkpoint_in_tmp.read_text()
    _rows(personas, 2)
    AuditEntry.objects.filter(seq=5).update(note="rewritten")
    with pytest.raises(ChainBroken) as exc:
        write_checkpoint()
    assert exc.value.problem.seq == 5
    assert _checkpoint_in_tmp.read_text() == before  # the old checkpoint stays
    with translation.override("en"), pytest.raises(SystemExit) as code:
        call_command("audit", "checkpoint")
    assert code.value.code == 1
    assert "no checkpoint written" in capsys.readouterr().err
    assert checkpoint_file.load(_checkpoint_in_tmp) == first


def test_no_checkpoint_is_signed_over_a_cut_chain(personas, _checkpoint_in_tmp):
    _rows(personas, 4)
    write_checkpoint()
    AuditEntry.objects.filter(seq__gte=3).delete()
    AuditHead.objects.filter(pk=1).update(last_seq=2, last_hash=AuditEntry.objects.get(seq=2).hash)
    with pytest.raises(ChainBroken) as exc:
        write_checkpoint()
    assert exc.value.problem.seq == 4 and exc.value.problem.kind == "truncated"


def test_the_worker_writes_the_checkpoint(personas, _checkpoint_in_tmp):
    assert ("onewindow.audit.jobs.write_checkpoint", 300) in settings.ONEWINDOW_WORKER_JOBS
    _rows(personas, 2)
    run_job("onewindow.audit.jobs.write_checkpoint")
    signed = checkpoint_file.load(_checkpoint_in_tmp)
    assert (signed.seq, signed.hash, signed.legacy_until) == (
        2,
        AuditEntry.objects.get(seq=2).hash,
        0,
    )
    _rows(personas, 1)
    run_job("onewindow.audit.jobs.write_checkpoint")
    assert checkpoint_file.load(_checkpoint_in_tmp).seq == 3


def _make_legacy(n):
    """Rows as they were before the key: plain SHA-256, scheme 1."""
    _recompute_without_key(1, scheme=AuditEntry.Scheme.UNKEYED)
    assert AuditEntry.objects.filter(scheme=AuditEntry.Scheme.UNKEYED).count() == n


def test_rows_written_before_the_key_still_verify(personas, capsys):
    _rows(personas, 3)
    _make_legacy(3)
    _rows(personas, 2)  # keyed rows after the upgrade
    code, out, _err = _verify(capsys)
    assert code == 0 and "5 rows verified" in out
    assert "rows 1..3 were written before the audit key" in out
    assert write_checkpoint().legacy_until == 3
    code, out, _err = _verify(capsys)
    assert code == 0


def test_a_rewritten_unkeyed_row_breaks_the_first_keyed_row(personas, capsys):
    _rows(personas, 3)
    _make_legacy(3)
    _rows(personas, 2)
    AuditEntry.objects.filter(seq=2).update(note="rewritten")
    # rows 2 and 3 rehashed as the attacker can; row 4 is keyed and seals them
    prev = AuditEntry.objects.get(seq=1).hash
    for entry in AuditEntry.objects.filter(seq__in=[2, 3]).order_by("seq"):
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash
    code, _out, err = _verify(capsys)
    assert code == 1 and "row 4 does not follow row 3" in err


def test_keyed_rows_cannot_be_turned_into_unkeyed_ones(personas, capsys):
    _rows(personas, 3)
    write_checkpoint()  # says: no unkeyed rows at all
    AuditEntry.objects.filter(seq=2).update(note="rewritten")
    _recompute_without_key(1, scheme=AuditEntry.Scheme.UNKEYED)
    code, _out, err = _verify(capsys)
    assert code == 1
    assert "audit log broken at row 1 (unkeyed)" in err


def test_an_unkeyed_row_after_a_keyed_one_fails(personas, capsys):
    _rows(personas, 4)
    AuditEntry.objects.filter(seq=3).update(note="rewritten")
    _recompute_without_key(3, scheme=AuditEntry.Scheme.UNKEYED)
    code, _out, err = _verify(capsys)
    assert code == 1 and "row 3 (unkeyed)" in err


def test_the_deploy_check_wants_a_key_of_its_own(settings):
    settings.ONEWINDOW_AUDIT_KEY_SOURCE = "derived"
    assert [e.id for e in check_audit_key(None)] == ["audit.E001"]
    settings.ONEWINDOW_AUDIT_KEY_SOURCE = "environment"
    settings.ONEWINDOW_AUDIT_KEY = "short"
    assert [e.id for e in check_audit_key(None)] == ["audit.E002"]
    settings.ONEWINDOW_AUDIT_KEY = "k" * 64
    assert check_audit_key(None) == []


def _production(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ONEWINDOW_AUDIT") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        ONEWINDOW_ENV="production",
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        DEBUG="0",
        ALLOWED_HOSTS="onewindow.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "onewindow.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_the_key(tmp_path):
    result = _production(tmp_path)
    assert result.returncode != 0
    assert "ONEWINDOW_AUDIT_KEY or ONEWINDOW_AUDIT_KEY_FILE must be set" in result.stderr


@pytest.mark.slow
def test_production_reads_the_key_from_a_file(tmp_path):
    key_file = tmp_path / "audit.key"
    key_file.write_text("0123456789abcdef" * 4 + "\n")
    result = _production(tmp_path, ONEWINDOW_AUDIT_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stdout + result.stderr
    result = _production(tmp_path, ONEWINDOW_AUDIT_KEY="too short")
    assert result.returncode != 0 and "audit.E002" in result.stderr + result.stdout
