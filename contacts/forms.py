"""Forms of the contacts app: they check the shape of input and normalise
it; rules spanning objects live in contacts.services."""

import unicodedata
from typing import TYPE_CHECKING, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

from contacts.ids import IdChoiceField
from contacts.importers import MAX_IMPORT_BYTES
from contacts.importers.mapping import choice_problems, meaning, page_language
from contacts.models import AdministrativeUnit, Contact, ElectionBody
from contacts.phones import InvalidPhone, format_national, normalise_phone, split_phones
from contacts.services.contact_imports import FileLayout, ImportMode

# Django's own messages that a refused form may show and that Django's
# Vietnamese catalogue lacks (or has under an older wording). Marked here so
# that `make messages` puts them in locale/vi, which Django reads before its
# own catalogues: the page then says what is wrong in Vietnamese. The texts
# must stay exactly Django's (django/core/validators.py, django/forms/,
# django/contrib/auth/password_validation.py).
DJANGO_MESSAGES = (
    gettext_noop("Null characters are not allowed."),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("The inline value did not match the parent instance."),
    gettext_noop("Enter a complete value."),
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "%(field_names)s. You may need to file a bug report if the issue persists."
    ),
    ngettext_lazy(
        "Please submit at most %(num)d form.",
        "Please submit at most %(num)d forms.",
        "num",
    ),
    ngettext_lazy(
        "Please submit at least %(num)d form.",
        "Please submit at least %(num)d forms.",
        "num",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
)

# A hidden field's value is the page's, not the user's: when it is refused
# (a page garbled by a browser extension, a hand-made request), the page
# cannot show it next to the field.
STALE_PAGE = _(
    "This page is out of date. Open it again and make your change once more."
)


F = TypeVar("F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's field `name`, which its class declares (or its model
    makes) a `kind`, e.g. an IdChoiceField whose queryset the form
    narrows: `form.fields` holds plain Fields for the type checker."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


# TypedInputForm is mixed into Django form classes: the type checker reads
# it as one, to know its fields and cleaned_data.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class TypedInputForm(_FormBase):
    """What every form of the three apps does with what was typed; mixed in
    before the Django form class.

    - Text is kept in Unicode's composed form (NFC), as the importers keep
      it (contacts.importers.rows): "Nguyễn" typed with combining marks
      (Unikey's "Unicode tổ hợp", some Mac and web input) is then the very
      text "Nguyễn" typed precomposed, so that searches, sorting and the
      import's matching find it.
      A few letters are longer composed than typed (Devanagari's "क़" is
      two code points in NFC, one as typed): a field's length limit is
      checked again on the composed text, which is what is saved.
    - A refused hidden field is also said at the top of the form, so that a
      refusal is never silent.
    """

    def clean(self):
        cleaned = super().clean()
        data = self.cleaned_data if cleaned is None else cleaned
        too_long: list[tuple[str, ValidationError]] = []
        for name, value in data.items():
            if isinstance(value, str) and not value.isascii():
                data[name] = unicodedata.normalize("NFC", value)
                too_long += self._over_limit(name, data[name])
        for name, error in too_long:
            self.add_error(name, error)
        refused = [self.fields.get(name) for name in self.errors]
        if any(field and field.widget.is_hidden for field in refused):
            self.add_error(None, STALE_PAGE)
        return cleaned

    def _over_limit(self, name: str, value: str) -> list[tuple[str, ValidationError]]:
        limit = getattr(self.fields.get(name), "max_length", None)
        if limit is None:
            return []
        try:
            MaxLengthValidator(limit)(value)
        except ValidationError as exc:
            return [(name, exc)]
        return []


class ElectionBodyForm(TypedInputForm, forms.ModelForm):
    class Meta:
        model = ElectionBody
        fields = ["kind", "unit", "name", "polling_areas", "location"]
        field_classes = {"unit": IdChoiceField}
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
        unit = form_field(self, "unit", IdChoiceField)
        unit.queryset = units.order_by("level", "code")
        # Django calls the field's label_from_instance: set on this form's copy.
        unit.label_from_instance = lambda u: f"{u.name} ({u.code})"  # type: ignore[method-assign,assignment]


class PhonesField(forms.CharField):
    """One or more phone numbers as officials type them; cleaned to E.164
    numbers separated by spaces (the storage form of Contact.phones)."""

    def to_python(self, value):
        raw = super().to_python(value)
        numbers, errors = [], []
        for part in split_phones(raw or ""):
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


class ContactForm(TypedInputForm, forms.ModelForm):
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
        help_text=_(
            "Excel (.xlsx, .xls), OpenDocument (.ods), CSV or Unicode text, at "
            "most 10 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt,.tsv"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_IMPORT_BYTES // 2**20}
            )
        return upload


class ImportConfirmForm(forms.Form):
    """The preview's choice of what the import does with what the file does
    not name (shown with GET, then posted with the confirmation), and the
    fingerprint of the plan shown, so that a whole-list import removes what
    the officer saw (contacts.services.contact_import_apply)."""

    mode = forms.ChoiceField(
        label=_("What the file is"),
        choices=ImportMode.choices,
        initial=ImportMode.ADD_UPDATE,
        required=False,
        widget=forms.RadioSelect,
    )
    shown = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # The sheet and columns the preview was read with (ImportPlan.choice).
    read_as = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_mode(self) -> str:
        return self.cleaned_data["mode"] or ImportMode.ADD_UPDATE


class ImportColumnsForm(TypedInputForm, forms.Form):
    """The preview's choice of how the file is read
    (contacts.services.contact_import_choose), as two forms posted to one
    URL: the workbook's sheet (`sheet`), or, for each thing the import needs
    that the file's header does not name (and each read by a choice), the
    column that holds it (`column_<key>`, with `columns` set). A column is
    offered by its letter and its header as the file has them."""

    sheet = forms.ChoiceField(
        label=_("Sheet"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "The file has no sheet “%(value)s”; choose one of its sheets."
            )
        },
    )
    columns = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, layout: FileLayout, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.keys = keys
        self.language = page_language()
        form_field(self, "sheet", forms.ChoiceField).choices = [
            (name, name) for name in layout.sheets
        ]
        choices = [("", _("— not in the file —"))] + [
            (c.letter, f"{c.letter} – {c.header}" if c.header else c.letter)
            for c in layout.columns
        ]
        for key in keys:
            self.fields[f"column_{key}"] = forms.ChoiceField(
                label=meaning(key, self.language),
                choices=choices,
                required=False,
                error_messages={
                    "invalid_choice": _(
                        "The file has no column “%(value)s”; choose one of its columns."
                    )
                },
            )

    @property
    def is_columns(self) -> bool:
        """The column form was posted (not the sheet form)."""
        return bool(getattr(self, "cleaned_data", {}).get("columns"))

    @property
    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{key}"] for key in self.keys]

    def chosen(self) -> dict[str, str]:
        """{column key: letter, "" for none} of the column form."""
        return {key: self.cleaned_data.get(f"column_{key}", "") for key in self.keys}

    def choice(self) -> dict:
        """contact_import_choose's arguments: the columns, or the sheet."""
        if self.cleaned_data.get("columns"):
            return {"columns": self.chosen()}
        return {"sheet": self.cleaned_data.get("sheet") or None}

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("columns") and not self.errors:
            problems = choice_problems(
                self.layout.columns, self.chosen(), self.language
            )
            for key, message in problems.items():
                self.add_error(f"column_{key}", message)
        return cleaned

    def add_choice_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's refusal, by the key it is about."""
        for key, messages in errors.items():
            name = key if key == "sheet" else f"column_{key}"
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ReturnForm(TypedInputForm, forms.Form):
    comment = forms.CharField(
        label=_("What must the district fix?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(TypedInputForm, forms.Form):
    reason = forms.CharField(
        label=_("Reason for accepting incomplete coverage"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed only when some communes have no Election Team with a phone."
        ),
    )


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked: Django sets
    only the input's maxlength, so a longer name went on to authenticate(),
    and django-axes' record of the failed login (a column of 255
    characters) failed on PostgreSQL with a server error. Used by the login
    URL (config/urls.py)."""

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        username = form_field(self, "username", forms.CharField)
        username.validators.append(MaxLengthValidator(username.max_length))
