"""Fees as published: the conditions the window records (waived, reduced, extra copies), the
expected total priced in one place (cases.fees), and the conditions an item does not
publish refused on the page and in the API with nothing changed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from onewindow.accounts.models import ApiToken
from onewindow.cases import fees, services
from onewindow.cases.models import Case, CaseEvent, CaseFeeLine
from onewindow.catalogue.models import Fee

from .factories import make_accepted_case, make_case, make_immediate_item, make_item, run_steps

pytestmark = [pytest.mark.django_db]

BASIS = "发改价格规〔2016〕2559号"


def with_property_fees(item):
    """The fee lines of a property registration: 80 a case (first certificate included,
    10 for each extra one; waived for small businesses), and 550 for a non-residential
    one, reduced to 80 for a garage."""
    version = item.published_version
    version.fees.all().delete()
    home = Fee.objects.create(
        version=version,
        position=1,
        name="不动产登记费（住宅）",
        amount=Decimal("80.00"),
        standard="80元/件",
        basis=BASIS,
        waivable=True,
        waiver_condition="小微企业",
        per_copy_amount=Decimal("10.00"),
    )
    other = Fee.objects.create(
        version=version,
        position=2,
        name="不动产登记费（非住宅）",
        amount=Decimal("550.00"),
        standard="550元/件",
        basis=BASIS,
        reduced_amount=Decimal("80.00"),
        reduced_condition="车库、车位",
    )
    return home, other


@pytest.fixture
def property_item(personas):
    item = make_item(personas.department, [personas.hall], name="不动产转移登记")
    return item, *with_property_fees(item)


@pytest.fixture
def ready(personas, property_item, monday):
    """A case whose steps are done, waiting for the window to conclude it."""
    item, home, other = property_item
    return run_steps(personas, make_accepted_case(personas, item)), home, other


# ------------------------------------------------------------------ pricing


def test_a_line_costs_its_amount_less_waivers_and_reductions_plus_extra_copies(property_item):
    _item, home, other = property_item
    assert home.due() == Decimal("80.00")
    assert home.due(extra_copies=2) == Decimal("100.00")
    assert home.due(waived=True, extra_copies=2) == Decimal("0.00")
    assert other.due(reduced=True) == Decimal("80.00")
    per_unit = Fee(name="价格认定费", amount=None, standard="按标的额", basis=BASIS)
    assert per_unit.due() is None and per_unit.due(waived=True) == Decimal("0.00")


def test_the_expected_total_adds_the_lines_under_their_conditions(property_item):
    item, home, other = property_item
    lines = fees.price_lines(
        item.published_version.fees.all(),
        [{"fee": home.pk, "extra_copies": 1}, {"fee": other.pk, "reduced": True}],
    )
    assert [(x.name, x.extra_copies, x.reduced, x.due) for x in lines] == [
        ("不动产登记费（住宅）", 1, False, Decimal("90.00")),
        ("不动产登记费（非住宅）", 0, True, Decimal("80.00")),
    ]
    assert fees.expected_total(lines) == Decimal("170.00")
    plain = fees.price_lines(item.published_version.fees.all(), [])
    assert fees.expected_total(plain) == Decimal("630.00")
    assert fees.expected_total([CaseFeeLine(due=None), *plain]) is None


def test_a_fee_publishes_only_consistent_conditions(property_item):
    from django.core.exceptions import ValidationError

    _item, home, other = property_item
    home.waivable = False
    with pytest.raises(ValidationError) as exc:
        home.full_clean()
    assert "waiver_condition" in exc.value.message_dict
    other.reduced_amount = Decimal("600.00")
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "reduced_amount" in exc.value.message_dict
    other.reduced_amount, other.reduced_condition = Decimal("10.00"), ""
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "reduced_condition" in exc.value.message_dict


# ------------------------------------------------------------------ the service


def test_it_records_every_fee_line_with_the_conditions_that_apply(personas, ready):
    case, home, other = ready
    case = services.conclude_case(
        actor=personas.clerk,
        case=case,
        result="granted",
        certificate_number="苏(2026)张家港市不动产权第0000001号",
        fee_charged="170",
        fee_conditions=[
            {"fee": home.pk, "extra_copies": 1},
            {"fee": other.pk, "reduced": True},
        ],
    )
    lines = {x.fee_id: x for x in case.fee_lines.all()}
    assert (lines[home.pk].extra_copies, lines[home.pk].due) == (1, Decimal("90.00"))
    assert (lines[other.pk].reduced, lines[other.pk].due) == (True, Decimal("80.00"))
    event = case.events.get(kind=CaseEvent.Kind.FEE_CHARGED)
    assert (event.data["charged"], event.data["standard"]) == ("170.00", "170.00")
    assert [line["extra_copies"] for line in event.data["lines"]] == [1, 0]


@pytest.mark.parametrize(
    "conditions, words",
    [
        (lambda home, other, alien: [{"fee": other.pk, "waived": True}], "cannot be waived"),
        (lambda home, other, alien: [{"fee": other.pk, "extra_copies": 2}], "extra copy"),
        (lambda home, other, alien: [{"fee": home.pk, "reduced": True}], "reduced amount"),
        (lambda home, other, alien: [{"fee": alien.pk}], "not one of the fees"),
        (lambda home, other, alien: [{"fee": home.pk}, {"fee": home.pk}], "named twice"),
        (lambda home, other, alien: [{"fee": home.pk, "extra_copies": -1}], "whole number"),
        (lambda home, other, alien: "waived", "must be a list"),
    ],
)
def test_it_refuses_a_condition_the_item_does_not_publish(
    personas, ready, english, conditions, words
):
    case, home, other = ready
    alien = make_item(personas.department, [personas.hall]).published_version.fees.get()
    before = case.version
    with pytest.raises(fees.FeeConditionRefused) as exc:
        services.conclude_case(
            actor=personas.clerk,
            case=case,
            result="granted",
            certificate_number="x",
            fee_charged="80",
            fee_conditions=conditions(home, other, alien),
        )
    assert words in exc.value.errors["fee_conditions"]
    case.refresh_from_db()
    assert (case.status, case.version, case.fee_charged) == ("accepted", before, None)
    assert not CaseFeeLine.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.FEE_CHARGED).exists()


def test_it_wants_the_fee_charged_with_its_conditions(personas, ready, english):
    case, home, _other = ready
    with pytest.raises(fees.FeeConditionRefused) as exc:
        services.conclude_case(
            actor=personas.clerk,
            case=case,
            result="granted",
            certificate_number="x",
            fee_conditions=[{"fee": home.pk, "waived": True}],
        )
    assert "fee charged" in exc.value.errors["fee_charged"]


# ------------------------------------------------------------------ the API


def post(client, user, path, body):
    token = ApiToken.issue(user)[1]
    r = client.post(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    return r.status_code, r.json()


def test_the_api_records_the_conditions_and_refuses_unpublished_ones(client, personas, ready):
    case, home, other = ready
    body = {"version": case.version, "result": "granted", "certificate_number": "x"}
    status, answer = post(
        client,
        personas.clerk,
        f"/cases/{case.number}/conclude",
        {**body, "fee_charged": "80", "fee_conditions": [{"fee": other.pk, "waived": True}]},
    )
    assert status == 422, answer
    assert answer["code"] == "fee_condition_not_published"
    assert "不动产登记费（非住宅）" in answer["errors"]["fee_conditions"]
    assert "减免" in answer["message"]
    # A body that does not match the schema is the API's 422 as well.
    status, answer = post(
        client,
        personas.clerk,
        f"/cases/{case.number}/conclude",
        {**body, "fee_charged": "80", "fee_conditions": [{"fee": home.pk, "extra_copies": -1}]},
    )
    assert (status, answer["code"]) == (422, "invalid_request")
    assert "fee_conditions.0.extra_copies" in answer["errors"]
    case.refresh_from_db()
    assert case.status == "accepted" and not CaseFeeLine.objects.exists()
    status, answer = post(
        client,
        personas.clerk,
        f"/cases/{case.number}/conclude",
        {
            **body,
            "fee_charged": "170",
            "fee_conditions": [
                {"fee": home.pk, "extra_copies": 1},
                {"fee": other.pk, "reduced": True},
            ],
        },
    )
    assert status == 200, answer
    assert sorted(CaseFeeLine.objects.values_list("extra_copies", "reduced", "due")) == [
        (0, True, Decimal("80.00")),
        (1, False, Decimal("90.00")),
    ]


def test_the_api_takes_the_conditions_of_an_immediate_item(client, personas, monday):
    item = make_immediate_item(personas.department, [personas.hall])
    home, _other = with_property_fees(item)
    case = make_case(personas, item)
    status, answer = post(
        client,
        personas.clerk,
        f"/cases/{case.number}/immediate",
        {
            "version": case.version,
            "certificate_number": "x",
            "fee_charged": "0",
            "fee_conditions": [{"fee": home.pk, "waived": True}],
        },
    )
    assert status == 200, answer
    assert answer["fee_charged"] == "0.00"
    assert list(CaseFeeLine.objects.values_list("fee_id", "waived", "due")) == [
        (home.pk, True, Decimal("0.00")),
        (_other.pk, False, Decimal("550.00")),
    ]


# ------------------------------------------------------------------ the page


def test_the_page_offers_only_the_published_conditions(client, personas, ready):
    case, home, other = ready
    client.force_login(personas.clerk)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f'name="fee_{home.pk}_waived"' in page and f'name="fee_{home.pk}_copies"' in page
    assert f'name="fee_{other.pk}_reduced"' in page
    assert f'name="fee_{other.pk}_waived"' not in page
    assert f'name="fee_{other.pk}_copies"' not in page


def test_the_page_records_the_conditions_and_refuses_a_bad_combination(client, personas, ready):
    case, home, other = ready
    client.force_login(personas.clerk)
    url = reverse("cases:act", args=[case.number, "conclude"])
    data = {
        "version": case.version,
        "result": "granted",
        "certificate_number": "x",
        "fee_charged": "",
        f"fee_{home.pk}_waived": "on",
    }
    response = client.post(url, data)
    # Back to the case page, the error shown there (a reload does not post again).
    assert response.status_code == 302 and response["Location"].endswith("#action-conclude")
    assert "请填写所收费用" in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert case.status == "accepted" and not CaseFeeLine.objects.exists()
    data.update({"fee_charged": "90", f"fee_{home.pk}_waived": "", f"fee_{home.pk}_copies": "1"})
    data[f"fee_{other.pk}_reduced"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "concluded" and case.fee_charged == Decimal("90.00")
    assert sorted(case.fee_lines.values_list("due", flat=True)) == [
        Decimal("80.00"),
        Decimal("90.00"),
    ]
    assert Case.objects.get(pk=case.pk).fee_lines.count() == 2
