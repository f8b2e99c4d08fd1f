"""Forms of the readiness app: they check the shape of input and normalise
it; rules spanning objects (edit conflicts, file contents, review states)
live in readiness.services.plans."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.attachments import MAX_ATTACHMENT_BYTES
from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import AdministrativeUnit
from contacts.phones import InvalidPhone, format_national, normalise_phone
from contacts.selectors.units import province_areas
from readiness.models import ResourceKind
from readiness.services.plans import ResourceLine


class PhoneField(forms.CharField):
    """One phone number as officials type it; cleaned to E.164, shown in the
    national format ("0912 345 678")."""

    def to_python(self, value):
        raw = super().to_python(value)
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except InvalidPhone as exc:
            raise forms.ValidationError(exc.message) from None

    def prepare_value(self, value):
        if value and isinstance(value, str) and value.startswith("+"):
            return format_national(value)
        return value


class RevisionField(forms.IntegerField):
    """The revision a form was loaded from, in a hidden field. A value that
    is not one (a page garbled by a browser extension, a hand-made request)
    is read as a stale revision rather than as an error the page would not
    show (the field is hidden): plan_section_save then refuses the save as
    an edit conflict, which the page explains, keeping the text typed."""

    STALE = -1

    def __init__(self, **kwargs) -> None:
        # PlanSection.revision is a 32-bit integer on PostgreSQL.
        super().__init__(
            min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput, **kwargs
        )

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError:
            return self.STALE


class SectionForm(TypedInputForm, forms.Form):
    """The text of a section. Measures may be empty in a draft: only
    sections with measures are submitted (readiness.services.plan_submit)."""

    measures = forms.CharField(
        label=_("Measures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What your organisation will do to meet this obligation. A section "
            "is submitted only when this is filled in."
        ),
    )
    responsible_name = forms.CharField(
        label=_("Responsible person"), max_length=200, required=False
    )
    responsible_phone = PhoneField(
        label=_("Phone of the responsible person"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    # The revision the form was loaded from; plan_section_save refuses a save
    # if someone saved the section since.
    revision = RevisionField()


class ResourceForm(TypedInputForm, forms.Form):
    # A blank first choice, so that an untouched extra row stays empty and
    # is skipped by the formset.
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "---------"), *ResourceKind.choices]
    )
    # PlanResource.quantity is a 32-bit integer on PostgreSQL; no plan has
    # a million of anything.
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999_999)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    district = IdChoiceField(
        label=_("District"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
    )

    def __init__(self, *args, province: AdministrativeUnit, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = form_field(self, "district", IdChoiceField)
        field.queryset = province_areas(province.pk)
        # The options come from a list loaded once for the whole formset, so
        # rendering N rows does not make N queries; validation still goes
        # through the queryset above.
        field.widget.choices = [("", "---------")] + [(u.pk, u.name) for u in districts]


ResourceFormSet = forms.formset_factory(ResourceForm, extra=2, can_delete=True)


def district_options(province: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units a resource line may name: the province's districts, or
    its communes in a two-tier structure (one query)."""
    return list(province_areas(province.pk).order_by("name"))


def resource_lines(formset) -> list[ResourceLine]:
    """The lines of a valid ResourceFormSet, without empty or deleted rows."""
    return [
        ResourceLine(
            kind=f.cleaned_data["kind"],
            quantity=f.cleaned_data["quantity"],
            location=f.cleaned_data.get("location", "").strip(),
            district=f.cleaned_data.get("district"),
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, not at import, so that it is in the request's language.
        self.fields["file"].help_text = _(
            "PDF, Word (.docx), Excel (.xlsx) or an image, at most %(mb)s MB."
        ) % {"mb": MAX_ATTACHMENT_BYTES // 2**20}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_ATTACHMENT_BYTES // 2**20}
            )
        return upload


class ReviewAcceptForm(TypedInputForm, forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewReturnForm(TypedInputForm, forms.Form):
    comment = forms.CharField(
        label=_("What must be fixed?"), widget=forms.Textarea(attrs={"rows": 3})
    )
