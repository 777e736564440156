import pytest


@pytest.fixture(autouse=True)
def _checkpoint_in_tmp(settings, tmp_path):
    """Every audit test has a checkpoint file of its own (none at first)."""
    settings.ONEWINDOW_AUDIT_CHECKPOINT = tmp_path / "checkpoint" / "audit-checkpoint.json"
    return settings.ONEWINDOW_AUDIT_CHECKPOINT
