"""Forms of the outgoing documents (readiness.views.documents): a draft's
text, its sections, and the number and date it is issued with. Rules that
span rows (a number already given, a document issued meanwhile) are
readiness.services.documents'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.formats.vi.formats import DATETIME_INPUT_FORMATS
from contacts.forms import TypedInputForm
from contacts.validators import validate_date_in_range
from readiness.documents_report import figures_check
from readiness.forms_cycles import DATE_FORMATS
from readiness.forms_report import MOMENT_WIDGET_FORMAT
from readiness.models import DocumentAppendix, SignerCapacity

LINES_HELP = _("One per line.")


class DocumentForm(TypedInputForm, forms.Form):
    summary = forms.CharField(
        label=_("Summary (trích yếu)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recipient = forms.CharField(
        label=_("To (Kính gửi)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=LINES_HELP,
    )
    figures_at = forms.DateTimeField(
        label=_("Figures as of"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        validators=[validate_date_in_range],
        widget=forms.DateTimeInput(
            format=MOMENT_WIDGET_FORMAT,
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
        ),
        error_messages={
            "invalid": _(
                "Write the moment as day/month/year hour:minute, e.g. 15/04/2021 17:00."
            )
        },
        help_text=_(
            "Day/month/year hour:minute, Vietnam time. Empty: the moment the "
            "document is issued."
        ),
    )
    appendices = forms.MultipleChoiceField(
        label=_("Appendices"),
        choices=DocumentAppendix.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Attached after the signature when they have rows."),
    )
    signer_capacity = forms.ChoiceField(
        label=_("Signed as"), choices=SignerCapacity.choices
    )
    signer_name = forms.CharField(label=_("Signer"), max_length=200, required=False)
    copies_to = forms.CharField(
        label=_("Copies to (Nơi nhận)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, without the dash and semicolon; “Lưu: VT.” is added."
        ),
    )


class SectionForm(TypedInputForm, forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-figure-target": ""}),
        help_text=_("A paragraph per line. A section without text is left out."),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        figures_check(text)
        return text


SectionFormSet = forms.formset_factory(
    SectionForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


def section_lines(formset) -> list[dict[str, str]]:
    """The sections of a valid SectionFormSet, in order, without deleted
    or empty ones."""
    return [
        {"heading": f.cleaned_data["heading"], "text": f.cleaned_data["text"]}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class IssueForm(forms.Form):
    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=999_999,
        help_text=_(
            "Empty: the next number of the Department's register. Type one "
            "only when the document was numbered elsewhere."
        ),
    )
    issued_on = forms.DateField(
        label=_("Issued on"),
        input_formats=DATE_FORMATS,
        validators=[validate_date_in_range],
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
        ),
        help_text=_("Day/month/year."),
    )
