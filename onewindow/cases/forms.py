"""Forms of the window workbench and the case page.

Every form that changes a case carries the case version it was made from (hidden field
``version``): a stale form or a double submit is refused by the service and says so.
Forms check what they can say at once (ID check characters, phone, uploads); the
services check the rules of the life cycle.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.catalogue.models import Step

from . import services
from .models import Case, CaseStep, Suspension
from .uploads import allowed_extensions, validate_scan

BLANK = [("", "—")]

# Names the services use for their errors -> the form fields showing them.
FIELD_ALIASES = {
    "reason": ("reason", "refusal_reason"),
    "promise": ("promise", "gaps_promise"),
    "missing_material_ids": ("gaps_materials", "missing"),
    "provided_material_ids": ("provided",),
    "items": ("items", "other_problems"),
}


def add_service_errors(form: forms.Form, errors: dict) -> None:
    """Show a service's InvalidInput errors on the matching fields of ``form``."""
    for name, message in errors.items():
        target = next((f for f in (name, *FIELD_ALIASES.get(name, ())) if f in form.fields), None)
        form.add_error(target, message)


class StyledForm(forms.Form):
    """Radio buttons and check boxes get Bootstrap's class (their tags are rendered one
    by one, so the template cannot add it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-check-input")


class VersionedForm(StyledForm):
    """The form of one case action (see actions.py): its cleaned data is keyed by the
    keyword arguments of the action's service, plus ``version``. Made for one case."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    #: What the case page renders inside the action's card (cases/_action.html).
    fields_template = "cases/_fields.html"

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case


class FeeConditionsMixin:
    """Fields for the conditions each fee line of the item version publishes (a waiver, a
    reduced amount, a charge per extra copy) and only those; `fee_conditions()` gives what
    the clerk chose as the services take it (cases.fees.price_lines)."""

    def add_fee_condition_fields(self, version) -> None:
        self.fee_lines = list(version.fees.all())
        for f in self.fee_lines:
            name = {"name": f.name}
            if f.waivable:
                who = (f.waiver_condition or "").strip()
                self.fields[f"fee_{f.pk}_waived"] = forms.BooleanField(
                    required=False,
                    label=(
                        _("Waive “%(name)s” (%(who)s)") % {**name, "who": who}
                        if who
                        else _("Waive “%(name)s”") % name
                    ),
                )
            if f.reduced_amount is not None:
                self.fields[f"fee_{f.pk}_reduced"] = forms.BooleanField(
                    required=False,
                    label=_("Reduced “%(name)s”: %(amount)s yuan (%(condition)s)")
                    % {**name, "amount": f.reduced_amount, "condition": f.reduced_condition},
                )
            if f.per_copy_amount is not None:
                self.fields[f"fee_{f.pk}_copies"] = forms.IntegerField(
                    required=False,
                    min_value=0,
                    max_value=999,
                    initial=0,
                    label=_("Extra copies of “%(name)s” (%(amount)s yuan each)")
                    % {**name, "amount": f.per_copy_amount},
                )

    def fee_conditions(self) -> list[dict]:
        data = self.cleaned_data
        chosen = []
        for f in self.fee_lines:
            waived = bool(data.get(f"fee_{f.pk}_waived"))
            reduced = bool(data.get(f"fee_{f.pk}_reduced"))
            copies = data.get(f"fee_{f.pk}_copies") or 0
            if waived or reduced or copies:
                chosen.append(
                    {"fee": f.pk, "waived": waived, "reduced": reduced, "extra_copies": copies}
                )
        return chosen

    def fee_condition_fields(self) -> list:
        return [
            self[name] for name in self.fields if name.startswith("fee_") and name != "fee_charged"
        ]


def scan_field(label) -> forms.FileField:
    accept = ",".join(allowed_extensions())
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": accept, "class": "form-control form-control-sm"}
        ),
        validators=[validate_scan],
    )


# ------------------------------------------------------------------ workbench


def window_label(window) -> str:
    label = gettext("Window %(number)s") % {"number": window.number}
    return f"{label} {window.name}".strip()


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("Find an item"), required=False, max_length=100)


class IntakeForm(FeeConditionsMixin, StyledForm):
    """The window's one screen: applicant, checklist with scans, and the decision."""

    ACTIONS = {
        "accept": _("Accept"),
        "gaps": _("Accept with materials to follow"),
        "correction": _("Issue a correction notice"),
        "refuse": _("Refuse"),
        "immediate": _("Accept and conclude now"),
        "receive": _("Only receive"),
    }

    intake_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    window = forms.ModelChoiceField(label=_("Window"), queryset=None, required=False)
    applicant_kind = forms.ChoiceField(
        label=_("Applicant"),
        choices=Case.ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=Case.ApplicantKind.PERSON,
    )
    applicant_name = forms.CharField(label=_("Name of the person or organisation"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Resident ID number or unified social credit code"), max_length=40
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    provided = forms.TypedMultipleChoiceField(
        label=_("Materials handed in"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Per decision (only the chosen decision's fields are used):
    refusal_reason = forms.CharField(
        label=_("Reason for not accepting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_problems = forms.CharField(
        label=_("Other problems (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    gaps_materials = forms.TypedMultipleChoiceField(
        label=_("Materials that will follow"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gaps_due_date = forms.DateField(
        label=_("Materials due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gaps_promise = forms.CharField(
        label=_("Applicant's promise"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_(
            "I promise to hand in the materials listed by the date given, and accept that the case cannot be concluded before."
        ),
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=80, required=False
    )
    fee_charged = forms.DecimalField(
        label=_("Fee charged (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=12
    )
    hand_over = forms.BooleanField(
        label=_("Handed over at the window now"), required=False, initial=True
    )

    def __init__(self, *args, version, hall, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.hall = hall
        self.materials = list(version.frozen_parts().materials)
        self.fields["window"].queryset = hall.windows.filter(is_active=True)
        self.fields["window"].label_from_instance = window_label
        self.fields["provided"].choices = [(m.pk, m.name) for m in self.materials]
        self.fields["gaps_materials"].choices = [
            (m.pk, m.name) for m in self.materials if m.may_follow_later
        ]
        if not self.is_bound:
            self.initial.setdefault("intake_key", uuid.uuid4().hex)
        for m in self.materials:
            self.fields[f"scan_{m.pk}"] = scan_field(m.name)
        self.add_fee_condition_fields(version)

    def scan_fields(self):
        return [(m, self[f"scan_{m.pk}"]) for m in self.materials]

    def material_rows(self):
        """(material, checkbox, scan field) for the checklist table."""
        boxes = {int(b.data["value"]): b for b in self["provided"]}
        return [(m, boxes.get(m.pk), self[f"scan_{m.pk}"]) for m in self.materials]

    def clean_applicant_name(self):
        return self.cleaned_data["applicant_name"].strip()

    def clean_contact_phone(self):
        phone = services.normalise_phone(self.cleaned_data["contact_phone"])
        if phone is None:
            raise forms.ValidationError(
                _("Enter a mobile number (11 digits) or a landline number with its area code.")
            )
        return phone

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_kind")
        if kind and data.get("applicant_id_number"):
            number, error = services.validate_applicant(kind, data["applicant_id_number"])
            if error:
                self.add_error("applicant_id_number", error)
            else:
                data["applicant_id_number"] = number
        return data

    def scans(self):
        """(catalogue material id, upload) for every scan attached."""
        return [
            (m.pk, self.cleaned_data[f"scan_{m.pk}"])
            for m in self.materials
            if self.cleaned_data.get(f"scan_{m.pk}")
        ]

    def decision_data(self, action: str) -> dict:
        """The fields of the chosen decision (an action of actions.ACTIONS), keyed by its
        service's keyword arguments: this form prefixes some to keep them apart."""
        data = self.cleaned_data
        if action == "gaps":
            return {
                "missing_material_ids": data["gaps_materials"],
                "gaps_due_date": data["gaps_due_date"],
                "promise": data["gaps_promise"],
            }
        if action == "correction":
            return {"items": self.correction_items()}
        if action == "refuse":
            return {"reason": data["refusal_reason"]}
        if action == "immediate":
            return {
                "certificate_number": data["certificate_number"],
                "fee_charged": data["fee_charged"],
                "fee_conditions": self.fee_conditions(),
            }
        return {}

    def correction_items(self) -> list:
        provided = set(self.cleaned_data.get("provided") or ())
        items: list = [m.pk for m in self.materials if m.pk not in provided and m.required]
        items += [
            line.strip()
            for line in (self.cleaned_data.get("other_problems") or "").splitlines()
            if line.strip()
        ]
        return items


# --------------------------------------------------------------- case actions
# One form per action of actions.ACTIONS. A field is named after the service's keyword
# argument it fills; where the page posts another name (or builds the value from several
# fields), `clean` adds the keyword argument to the cleaned data.


class AcceptForm(VersionedForm):
    pass


class ImmediateForm(FeeConditionsMixin, VersionedForm):
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=80, required=False
    )
    fee_charged = forms.DecimalField(
        label=_("Fee charged (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=12
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.add_fee_condition_fields(case.item_version)

    def clean(self):
        data = super().clean()
        data["fee_conditions"] = self.fee_conditions()
        return data


class RefuseForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for not accepting"), widget=forms.Textarea(attrs={"rows": 3})
    )


class GapsForm(VersionedForm):
    missing_material_ids = forms.TypedMultipleChoiceField(
        label=_("Materials that will follow"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    gaps_due_date = forms.DateField(
        label=_("Materials due by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    promise = forms.CharField(
        label=_("Applicant's promise"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["missing_material_ids"].choices = [
            (m.material_id, m.name)
            for m in case.materials.select_related("material")
            if not m.provided and m.material is not None and m.material.may_follow_later
        ]


class CorrectionForm(VersionedForm):
    """The first notice: what is missing (required materials not handed in are always on
    it) and other problems. A later notice: only the items of earlier notices. The
    service's ``items`` are built from the ticked rows."""

    fields_template = "cases/_correction_fields.html"

    other_problems = forms.CharField(
        label=_("Other problems (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.earlier = [i for n in case.corrections.all() for i in n.items]
        self.rows = []
        if self.earlier:
            del self.fields["other_problems"]
            for item in self.earlier:
                key = item["key"].replace(".", "_")
                self.fields[f"item_{key}"] = forms.BooleanField(label=item["name"], required=False)
                self.fields[f"note_{key}"] = forms.CharField(
                    label=_("What is still needed"), required=False, max_length=500
                )
                self.rows.append((item, self[f"item_{key}"], self[f"note_{key}"]))
        else:
            for m in case.materials.all():
                if m.provided or m.material_id is None:
                    continue
                self.fields[f"mat_{m.material_id}"] = forms.BooleanField(
                    label=m.name, required=False, initial=m.required
                )
                self.fields[f"matnote_{m.material_id}"] = forms.CharField(
                    label=_("What is needed"), required=False, max_length=500
                )
                self.rows.append(
                    (m, self[f"mat_{m.material_id}"], self[f"matnote_{m.material_id}"])
                )

    def clean(self):
        data = super().clean()
        data["items"] = self.items()
        return data

    def items(self) -> list:
        data = self.cleaned_data
        out: list = []
        if self.earlier:
            for item in self.earlier:
                key = item["key"].replace(".", "_")
                if data.get(f"item_{key}"):
                    out.append(
                        {
                            "derived_from": item["key"],
                            "material_id": item.get("material_id"),
                            "name": item["name"],
                            "note": data.get(f"note_{key}", ""),
                        }
                    )
            return out
        for m in self.case.materials.all():
            if m.material_id and data.get(f"mat_{m.material_id}"):
                out.append(
                    {"material_id": m.material_id, "note": data.get(f"matnote_{m.material_id}", "")}
                )
        out += [
            line.strip() for line in (data.get("other_problems") or "").splitlines() if line.strip()
        ]
        return out


class SupplyForm(VersionedForm):
    provided = forms.TypedMultipleChoiceField(
        label=_("Materials handed in"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        waiting = [m for m in case.materials.all() if m.material_id and not m.provided]
        if case.status != Case.Status.CORRECTION:
            waiting = [m for m in waiting if m.to_follow]
        self.fields["provided"].choices = [(m.material_id, m.name) for m in waiting]
        self.fields["provided"].initial = [m.material_id for m in waiting]

    def clean(self):
        data = super().clean()
        data["provided_material_ids"] = data.get("provided") or []
        return data


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        step = case.current_step
        qs = User.objects.none()
        if step is not None:
            qs = User.objects.filter(
                is_active=True,
                halls=case.hall_id,
                department_id=case.department_id,
                groups__name=step.role,
            ).distinct()
        self.fields["assignee"].queryset = qs


class DecideForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Step decision"), choices=CaseStep.Decision.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("Handling opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    send_back_to = forms.TypedChoiceField(
        label=_("Send back to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        step = case.current_step
        steps = list(case.item_version.steps.all())
        choices = []
        if step is not None:
            is_last = step.position >= len(steps)
            if step.role == Step.Role.APPROVER or is_last:
                choices += [
                    (CaseStep.Decision.APPROVE, _("Approve")),
                    (CaseStep.Decision.REJECT, _("Reject")),
                ]
            if step.role != Step.Role.APPROVER:
                choices.insert(
                    0, (CaseStep.Decision.PASS, _("Pass on") if not is_last else _("Done"))
                )
            if step.position > 1:
                choices.append((CaseStep.Decision.SEND_BACK, _("Send back")))
            self.fields["send_back_to"].choices = [("", "—")] + [
                (i, f"{i}. {s.name}") for i, s in enumerate(steps[: step.position - 1], start=1)
            ]
        self.fields["decision"].choices = choices


class ExtendForm(VersionedForm):
    """Ask for an extension: it waits for an approver of the hall."""

    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=15)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["days"].max_value = case.item_version.max_extension_days


class ExtensionDecisionForm(VersionedForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Do not approve"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (needed when not approved)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SuspendForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Special procedure"), choices=BLANK + Suspension.Kind.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    max_days = forms.IntegerField(label=_("Allowed length (working days)"), min_value=1)


class ResumeForm(VersionedForm):
    pass


def decided_result(case: Case) -> str | None:
    """The result the deciding step chose, once every step is decided: an approval is a
    grant, a rejection a refusal (None: no step decided either way). The window records
    that decision; it does not take it again."""
    if case.current_step_id is not None or case.status != Case.Status.ACCEPTED:
        return None
    last = case.steps.exclude(finished_at=None).order_by("-finished_at", "-id").first()
    decision = last.decision if last is not None else ""
    return {
        CaseStep.Decision.APPROVE: Case.Result.GRANTED,
        CaseStep.Decision.REJECT: Case.Result.REFUSED,
    }.get(decision)


def conclude_results(case: Case) -> list[tuple[str, str]]:
    """The results that may end the case now (with a blank first): granted and refused
    only once every step is decided, and then only the one the deciding step chose."""
    steps_pending = case.current_step_id is not None
    decided = decided_result(case)
    results = list(BLANK)
    for value, label in Case.Result.choices:
        if case.status not in services.RESULT_FROM[value]:
            continue
        if value in (Case.Result.GRANTED, Case.Result.REFUSED):
            if steps_pending or (decided is not None and value != decided):
                continue
        results.append((value, label))
    return results


class ConcludeForm(FeeConditionsMixin, VersionedForm):
    result = forms.ChoiceField(label=_("Result"), choices=BLANK + Case.Result.choices)
    reason = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=80, required=False
    )
    certificate_valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    fee_charged = forms.DecimalField(
        label=_("Fee charged (yuan)"), required=False, min_value=0, decimal_places=2, max_digits=12
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["result"].choices = conclude_results(case)
        self.add_fee_condition_fields(case.item_version)

    def clean(self):
        data = super().clean()
        data["fee_conditions"] = self.fee_conditions()
        return data


class DeliverForm(VersionedForm):
    method = forms.ChoiceField(label=_("Delivery method"), choices=Case.DeliveryMethod.choices)


class AttachForm(forms.Form):
    """A scan for the case (no version: a scan changes nothing the others rely on)."""

    material = forms.TypedChoiceField(
        label=_("Material"), coerce=int, required=False, empty_value=None
    )
    file = scan_field(_("Scan"))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["file"].required = True
        self.fields["material"].choices = [("", "—")] + [
            (m.material_id, m.name) for m in case.materials.all() if m.material_id
        ]

    def clean(self):
        data = super().clean()
        data["upload"] = data.get("file")
        data["material_id"] = data.get("material")
        return data


# ------------------------------------------------------------------- lists


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Case number or applicant"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("Status"), required=False)
    hall = forms.ModelChoiceField(
        label=_("Hall"), queryset=None, required=False, to_field_name="code"
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, to_field_name="code"
    )
    item = forms.CharField(label=_("Item code"), required=False, max_length=40)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Waiting for me"), required=False)

    OPEN = "open"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from onewindow.halls.models import Department, Hall

        self.user = user
        self.fields["status"].choices = [
            ("", _("Any")),
            (self.OPEN, _("Open (accepted or suspended)")),
        ] + list(Case.Status.choices)
        self.fields["hall"].queryset = Hall.objects.visible_to(user)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        for name in ("hall", "department"):
            self.fields[name].label_from_instance = lambda obj: obj.local_name

    def filter(self, qs, today):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"]:
            q = d["q"].strip()
            if q.isascii() and q.isalnum() and any(c.isdigit() for c in q):
                qs = qs.filter(number__startswith=q.upper())
            else:
                qs = qs.filter(applicant_name__contains=q)
        if d["status"] == self.OPEN:
            qs = qs.filter(status__in=Case.OPEN_STATUSES)
        elif d["status"]:
            qs = qs.filter(status=d["status"])
        if d["hall"]:
            qs = qs.filter(hall=d["hall"])
        if d["department"]:
            qs = qs.filter(department=d["department"])
        if d["item"]:
            qs = qs.filter(item__implementation_code=d["item"].strip())
        # Day bounds as moments in the hall's time zone, so the received_at index is used.
        if d["received_from"]:
            qs = qs.filter(received_at__gte=_start_of(d["received_from"]))
        if d["received_to"]:
            qs = qs.filter(received_at__lt=_start_of(d["received_to"] + datetime.timedelta(days=1)))
        if d["overdue"]:
            qs = qs.overdue(today)
        if d["mine"]:
            qs = qs.filter(current_assignee=self.user)
        return qs


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())
