"""Building blocks of the demo catalogue: item types, fee templates, departments, families."""

from __future__ import annotations

from dataclasses import dataclass, field

# fmt: off

LIC, PEN, COE, LEV, BEN, INS, CONF, REW, ADJ, OTH, PUB = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20")

# Fee templates: key -> (name, amount or None, standard, basis, waivable[, conditions]); the
# conditions are the published ones of catalogue.Fee (waiver_condition, per_copy_amount,
# reduced_amount, reduced_condition).
VEHICLE_FEE_BASIS = (
    "《国家计委 财政部关于公安交通管理收费标准及有关问题的通知》；《行政事业性收费标准管理办法》"
)
PROPERTY_FEE_BASIS = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）；《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）"
FEES: dict[str, tuple] = {
    "plate_car": ("机动车号牌工本费（汽车）", "100.00", "100元/副", VEHICLE_FEE_BASIS, False),
    "plate_moto": ("机动车号牌工本费（摩托车）", "35.00", "35元/副", VEHICLE_FEE_BASIS, False),
    "plate_temp": ("临时行驶车号牌工本费", "5.00", "5元/张", VEHICLE_FEE_BASIS, False),
    "vlicence": ("机动车行驶证工本费", "10.00", "10元/本", VEHICLE_FEE_BASIS, False),
    "vcert": ("机动车登记证书工本费", "10.00", "10元/本", VEHICLE_FEE_BASIS, False),
    "dlicence": ("机动车驾驶证工本费", "10.00", "10元/本", VEHICLE_FEE_BASIS, False),
    "prop_home": ("不动产登记费（住宅）", "80.00", "80元/件（含第一本证书工本费，每增加一本加收10元）", PROPERTY_FEE_BASIS, True,
                  {"waiver_condition": "小微企业（含个体工商户）；廉租住房、公共租赁住房、经济适用住房和棚户区改造安置住房", "per_copy_amount": "10.00"}),
    "prop_other": ("不动产登记费（非住宅）", "550.00", "550元/件（含第一本证书工本费，每增加一本加收10元）", PROPERTY_FEE_BASIS, True,
                   {"waiver_condition": "小微企业（含个体工商户）", "per_copy_amount": "10.00",
                    "reduced_amount": "80.00", "reduced_condition": "车库、车位、储藏室单独登记并核发证书"}),
    "prop_cert": ("不动产权属证书工本费", "10.00", "10元/本", PROPERTY_FEE_BASIS, False, {"per_copy_amount": "10.00"}),
    "farm_plate": ("拖拉机和联合收割机号牌工本费", "35.00", "35元/副", "《国家发展改革委 财政部关于农业机械监理收费标准的通知》；《行政事业性收费标准管理办法》", False),
    "farm_licence": ("拖拉机和联合收割机行驶证、驾驶证工本费", "10.00", "10元/本", "《国家发展改革委 财政部关于农业机械监理收费标准的通知》；《行政事业性收费标准管理办法》", False),
    "price_appraisal": ("涉案财物价格认定费", None, "按认定标的额分档累进计收", "《江苏省价格认定收费管理办法》", True,
                        {"waiver_condition": "公安、检察、审判机关办理刑事案件委托的"}),
}


@dataclass
class Department:
    """One department's part of the catalogue."""

    code: str
    halls: tuple[str, ...]
    basis: str
    rows: list[tuple] = field(default_factory=list)
    common: tuple[str, ...] = ()
    phone: str = ""


def family(subjects, actions, pattern="{s}{a}"):
    """Rows for every subject × action; an action row is (action, type, mode, legal, promised,
    result, fees, materials); fee keys may use {k} for the subject's fee key."""
    rows = []
    for subject, fee_key in subjects:
        for action, kind, mode, legal, promised, result, fees, materials in actions:
            rows.append(
                (
                    pattern.format(s=subject, a=action),
                    kind,
                    mode,
                    legal,
                    promised,
                    result,
                    tuple(f.format(k=fee_key) for f in fees),
                    materials,
                )
            )
    return rows

# fmt: on
