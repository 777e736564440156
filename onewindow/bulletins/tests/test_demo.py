"""The demo's bulletins: published, public, one from last month's report, acknowledged by
most halls; written once."""

import io

import pytest

from onewindow.bulletins.demo import load_demo_bulletins
from onewindow.bulletins.models import Bulletin, Receipt

pytestmark = pytest.mark.django_db


def test_the_demo_bulletins(settings, tmp_path):
    from onewindow.demo.organisation import load_organisation

    settings.MEDIA_ROOT = tmp_path
    load_organisation()
    out = io.StringIO()
    assert load_demo_bulletins(stdout=out) == 4
    published = Bulletin.objects.published()
    assert published.count() == 3 and published.filter(is_public=True).count() == 2
    from_report = published.get(source_month__isnull=False)
    assert "一、" in from_report.body
    assert Bulletin.objects.filter(status="draft").count() == 1
    receipts = Receipt.objects.all()
    acknowledged = receipts.filter(acknowledged_at__isnull=False).count()
    assert acknowledged > receipts.count() / 2
    assert acknowledged < receipts.count()
    assert receipts.filter(read_at__isnull=False, acknowledged_at__isnull=True).exists()
    assert "bulletins:" in out.getvalue()
    assert load_demo_bulletins() == 0
    assert Bulletin.objects.count() == 4
