from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.lib.workcal import CalendarCsvError, CalendarRow, parse_calendar_csv

CSV_MESSAGES = {
    "bad_header": _("The first line must be the header: date,kind,name"),
    "bad_date": _("Not a date in the form YYYY-MM-DD"),
    "bad_kind": _("The kind must be holiday or workday"),
    "duplicate_date": _("This date appears twice"),
    "workday_not_weekend": _("A swapped working day must be a Saturday or Sunday"),
    "empty": _("The file holds no days"),
    "bad_columns": _("A line may have at most three columns: date,kind,name"),
}


def translate_csv_errors(exc: CalendarCsvError) -> list[str]:
    out = []
    for line, code, detail in exc.errors:
        message = CSV_MESSAGES.get(code, code)
        out.append(
            _("Line %(line)s: %(message)s (%(detail)s)")
            % {"line": line, "message": message, "detail": detail}
        )
    return out


class CalendarCsvForm(forms.Form):
    """A new year's holiday arrangement, typed or pasted as CSV, or uploaded as a file."""

    text = forms.CharField(
        label=_("Days (CSV)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=_(
            "One line per day: date,kind,name — kind is holiday or workday. The first line is the header."
        ),
    )
    file = forms.FileField(label=_("or a CSV file"), required=False)
    notice = forms.CharField(label=_("State Council notice"), required=False, max_length=200)

    MAX_BYTES = 200_000

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text") or ""
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is too large for a calendar (at most 200 KB).")
                )
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file must be UTF-8 text.")) from None
        if not text.strip():
            raise forms.ValidationError(_("Enter the days or choose a file."))
        try:
            rows: list[CalendarRow] = parse_calendar_csv(text)
        except CalendarCsvError as exc:
            raise forms.ValidationError(translate_csv_errors(exc)) from None
        cleaned["csv_text"] = text
        cleaned["rows"] = rows
        return cleaned
