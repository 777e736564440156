"""The scheme is data: seeded, copied per year, edited as a whole; weights must add up."""

from decimal import Decimal

import pytest
from django.utils import translation

from onewindow.assessment import services
from onewindow.assessment.models import AssessmentScheme, Block, Indicator
from onewindow.assessment.services import AssessmentError
from onewindow.audit.models import AuditEntry


def weights(scheme):
    return {
        (i.block.code, i.code): (i.block.weight, i.weight, i.method, i.source)
        for i in Indicator.objects.filter(block__scheme=scheme).select_related("block")
    }


def data_for(scheme, **changes):
    data = {"year": scheme.year, "bonus_cap": str(scheme.bonus_cap)}
    for b, inds in services.structure(scheme):
        data[f"block-{b.pk}-weight"] = str(b.weight)
        for i in inds:
            data[f"ind-{i.pk}-weight"] = str(i.weight)
            data[f"ind-{i.pk}-name"] = i.name
            data[f"ind-{i.pk}-method"] = i.method
            data[f"ind-{i.pk}-source"] = i.source
    data.update(changes)
    return data


def test_the_default_scheme_is_seeded_usable_with_seven_blocks(db):
    scheme = AssessmentScheme.objects.get(year=2026)
    blocks = services.check_usable(scheme)
    assert [b.code for b, _inds in blocks] == [
        "image", "disclosure", "window", "conduct", "social", "assessment", "e_supervision",
    ]  # fmt: skip
    assert sum(b.weight for b, _i in blocks) == 100
    assert services.scheme_problems(blocks) == []


def test_a_new_year_copies_the_latest_earlier_scheme(admin_user_actor):
    scheme = AssessmentScheme.objects.get(year=2026)
    Indicator.objects.filter(block__scheme=scheme, code="dress").update(name="着装")
    new = services.create_scheme(actor=admin_user_actor, year=2027)
    assert Indicator.objects.get(block__scheme=new, code="dress").name == "着装"
    assert len(weights(new)) == len(weights(scheme))
    assert AuditEntry.objects.filter(action="assessment.scheme_created").count() == 1
    with pytest.raises(AssessmentError):
        services.create_scheme(actor=admin_user_actor, year=2027)


@pytest.fixture
def admin_user_actor(personas):
    return personas.admin


def test_it_refuses_weights_that_do_not_add_up_and_changes_nothing(admin_user_actor):
    scheme = AssessmentScheme.objects.get(year=2026)
    before, audits = weights(scheme), AuditEntry.objects.count()
    image = Block.objects.get(scheme=scheme, code="image")
    with translation.override("zh-hans"), pytest.raises(AssessmentError) as e:
        services.edit_scheme(
            actor=admin_user_actor,
            scheme=scheme,
            data=data_for(scheme, **{f"block-{image.pk}-weight": "15"}),
        )
    assert "各板块权重合计为 105.00，不是 100" in str(e.value)
    assert weights(scheme) == before and AuditEntry.objects.count() == audits


def test_it_refuses_a_block_whose_indicators_do_not_add_up(admin_user_actor):
    scheme = AssessmentScheme.objects.get(year=2026)
    dress = Indicator.objects.get(block__scheme=scheme, code="dress")
    with translation.override("zh-hans"), pytest.raises(AssessmentError) as e:
        services.edit_scheme(
            actor=admin_user_actor, scheme=scheme,
            data=data_for(scheme, **{f"ind-{dress.pk}-weight": "40"}),
        )  # fmt: skip
    assert "板块“统一形象”的指标权重合计为 90.00，不是 100" in str(e.value)
    assert Indicator.objects.get(pk=dress.pk).weight == Decimal(50)


def test_an_automatic_indicator_must_name_a_registered_source(admin_user_actor):
    scheme = AssessmentScheme.objects.get(year=2026)
    dress = Indicator.objects.get(block__scheme=scheme, code="dress")
    with pytest.raises(AssessmentError) as e:
        services.edit_scheme(
            actor=admin_user_actor, scheme=scheme,
            data=data_for(scheme, **{f"ind-{dress.pk}-method": "automatic",
                                     f"ind-{dress.pk}-source": "report_lateness"}),
        )  # fmt: skip
    assert "report_lateness" in str(e.value)
    assert Indicator.objects.get(pk=dress.pk).method == "manual"


def test_it_saves_weights_that_add_up_with_an_audit_row(admin_user_actor):
    scheme = AssessmentScheme.objects.get(year=2026)
    image = Block.objects.get(scheme=scheme, code="image")
    window = Block.objects.get(scheme=scheme, code="window")
    dress = Indicator.objects.get(block=image, code="dress")
    env = Indicator.objects.get(block=image, code="environment")
    services.edit_scheme(
        actor=admin_user_actor, scheme=scheme,
        data=data_for(scheme, **{f"block-{image.pk}-weight": "5", f"block-{window.pk}-weight": "30",
                                 f"ind-{dress.pk}-weight": "70", f"ind-{env.pk}-weight": "30"}),
    )  # fmt: skip
    image.refresh_from_db()
    assert image.weight == 5 and Indicator.objects.get(pk=dress.pk).weight == 70
    entry = AuditEntry.objects.get(action="assessment.scheme_edited")
    assert entry.before["blocks"]["image"]["weight"] == "10.00"
    assert entry.after["blocks"]["image"]["weight"] == "5.00"


def test_a_scheme_that_does_not_add_up_cannot_be_used(personas):
    scheme = AssessmentScheme.objects.get(year=2026)
    Block.objects.filter(scheme=scheme, code="image").update(weight=20)  # behind the services
    with translation.override("zh-hans"), pytest.raises(AssessmentError) as e:
        services.ranking(scheme)
    assert "2026年考核方案不能使用" in str(e.value)


def test_a_locked_scheme_cannot_change(personas, scheme_2025):
    services.lock_scores(actor=personas.admin, scheme=scheme_2025)
    with pytest.raises(AssessmentError):
        services.edit_scheme(actor=personas.admin, scheme=scheme_2025, data=data_for(scheme_2025))
