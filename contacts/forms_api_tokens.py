"""Making an API token (contacts.views.api_tokens)."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import Organisation


class ApiTokenForm(TypedInputForm, forms.Form):
    organisation = IdChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “NOC ticketing system”."),
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        organisation = form_field(self, "organisation", IdChoiceField)
        organisation.queryset = organisations
        if len(organisations) == 1:
            # An organisation's own officer: nothing to choose (another
            # organisation's id, posted by hand, is refused at the top of
            # the form: TypedInputForm shows a hidden field's error).
            organisation.initial = organisations[0]
            organisation.widget = forms.HiddenInput()
