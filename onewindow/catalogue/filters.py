"""The one filter definition for item lists: the staff list, the public guide and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.halls.models import Department, Hall

from .models import Fee, ItemType, ItemVersion
from .search import search_q

TRUE_WORDS = {"1", "true", "yes", "on", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "off", "n", "否"}


def parse_bool(value) -> bool | None:
    """A tri-state flag from a query string: True, False or None (not filtered)."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


@dataclass
class ItemFilter:
    """Filters on item versions; empty values filter nothing."""

    q: str = ""
    hall: str = ""
    department: str = ""
    item_type: str = ""
    immediate: bool | None = None
    has_fees: bool | None = None
    status: str = ""

    def apply(self, qs):
        if self.q:
            qs = qs.filter(search_q(self.q))
        if self.hall:
            qs = qs.filter(halls__code=self.hall.upper())
        if self.department:
            qs = qs.filter(item__department__code=self.department.upper())
        if self.item_type:
            qs = qs.filter(item_type=self.item_type)
        if self.immediate is not None:
            handling = (
                ItemVersion.Handling.IMMEDIATE if self.immediate else ItemVersion.Handling.PROMISED
            )
            qs = qs.filter(handling=handling)
        if self.has_fees is not None:
            has = Exists(Fee.objects.filter(version=OuterRef("pk")))
            qs = qs.filter(has) if self.has_fees else qs.exclude(has)
        if self.status:
            qs = qs.filter(status=self.status)
        return qs


YES_NO_ANY = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


class ItemFilterForm(forms.Form):
    """The search form above item lists. Unknown values are ignored rather than refused."""

    q = forms.CharField(
        label=_("Name, pinyin initials or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Search the service guides: name or pinyin initials"),
            }
        ),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    hall = forms.ChoiceField(label=_("Hall"), required=False)
    type = forms.ChoiceField(label=_("Item type"), required=False)
    immediate = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        choices=[
            ("", _("Any")),
            ("1", _("Immediate (即办件)")),
            ("0", _("Promised (承诺件)")),
        ],
    )

    def __init__(self, data=None, *, staff: bool = False, **kwargs):
        super().__init__(data, **kwargs)
        english = (get_language() or "").startswith("en")
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d.code, (d.name_en or d.name) if english else d.name)
            for d in Department.objects.filter(is_active=True).order_by("code")
        ]
        self.fields["hall"].choices = [("", _("All halls"))] + [
            (h.code, h.display_name(get_language())) for h in Hall.objects.active()
        ]
        self.fields["type"].choices = [("", _("All types"))] + list(ItemType.choices)
        if staff:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                required=False,
                choices=[("", _("Any status"))] + list(ItemVersion.Status.choices),
            )
            self.fields["fees"] = forms.ChoiceField(
                label=_("With fees"), required=False, choices=YES_NO_ANY
            )

    def to_filter(self) -> ItemFilter:
        if not self.is_bound:
            return ItemFilter()
        # An unknown choice (an old link) is dropped field by field, not for the whole search.
        data = (
            self.cleaned_data
            if self.is_valid()
            else {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        )
        return ItemFilter(
            q=data.get("q") or "",
            hall=data.get("hall") or "",
            department=data.get("department") or "",
            item_type=data.get("type") or "",
            immediate=parse_bool(data.get("immediate")),
            has_fees=parse_bool(data.get("fees")),
            status=data.get("status") or "",
        )
