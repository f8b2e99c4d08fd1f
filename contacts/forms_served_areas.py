"""Choosing the areas a carrier serves (contacts.views.registry)."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdMultipleChoiceField
from contacts.models import AdministrativeUnit


class ServedAreasForm(TypedInputForm, forms.Form):
    units = IdMultipleChoiceField(
        label=_("Areas served"),
        queryset=AdministrativeUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "The units directly under the province in the current election's "
            "administrative structure: its districts, or its communes where "
            "there are no districts. The carrier reads their contact lists "
            "and incidents, and answers for them in the compliance matrix."
        ),
    )

    def __init__(self, *args, areas: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "units", IdMultipleChoiceField).queryset = areas
