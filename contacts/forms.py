"""Forms of the contacts app: they check the shape of input and normalise
it; rules spanning objects live in contacts.services."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from contacts.importers import MAX_IMPORT_BYTES
from contacts.models import AdministrativeUnit, Contact, ElectionBody
from contacts.phones import InvalidPhone, format_national, normalise_phone, split_phones


class ElectionBodyForm(forms.ModelForm):
    class Meta:
        model = ElectionBody
        fields = ["kind", "unit", "name", "polling_areas", "location"]
        widgets = {
            "name": forms.TextInput(
                attrs={"placeholder": _("e.g. Election Team no. 3")}
            )
        }

    def __init__(self, *args, district: AdministrativeUnit, **kwargs):
        super().__init__(*args, **kwargs)
        # The district itself first, then its communes by code.
        units = (
            AdministrativeUnit.objects.filter(pk=district.pk) | district.children.all()
        )
        self.fields["unit"].queryset = units.order_by("level", "code")
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.code})"


class PhonesField(forms.CharField):
    """One or more phone numbers as officials type them; cleaned to E.164
    numbers separated by spaces (the storage form of Contact.phones)."""

    def to_python(self, value):
        raw = super().to_python(value)
        numbers, errors = [], []
        for part in split_phones(raw):
            try:
                numbers.append(normalise_phone(part))
            except InvalidPhone as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return " ".join(dict.fromkeys(numbers))

    def prepare_value(self, value):
        if value and isinstance(value, str) and value.startswith("+"):
            return "; ".join(format_national(p) for p in value.split())
        return value


class ContactForm(forms.ModelForm):
    phones = PhonesField(
        label=_("Phone numbers"),
        help_text=_("Several numbers: separate them with “;”."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    class Meta:
        model = Contact
        fields = ["full_name", "position", "phones", "email", "note"]


ContactFormSet = inlineformset_factory(
    ElectionBody,
    Contact,
    form=ContactForm,
    extra=2,
    min_num=1,
    validate_min=True,
    can_delete=True,
)


class ContactImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx) or CSV (UTF-8, comma or semicolon), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_IMPORT_BYTES // 2**20}
            )
        return upload


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must the district fix?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for accepting incomplete coverage"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed only when some communes have no Election Team with a phone."
        ),
    )
