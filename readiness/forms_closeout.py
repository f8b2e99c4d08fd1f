"""The close-out confirmation (readiness.views.closeout): the official
types the polling day's year, something not done by a slipped click."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm

WRONG_YEAR = _("Type the year of this election's polling day to confirm.")


class CloseoutForm(TypedInputForm, forms.Form):
    year = forms.CharField(
        label=_("Year of polling day"),
        max_length=4,
        help_text=_(
            "Type the year of the polling day (e.g. 2021) to confirm that this "
            "election is to be closed for good."
        ),
        error_messages={"required": WRONG_YEAR},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, polling_year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.polling_year = polling_year

    def clean_year(self) -> str:
        year = self.cleaned_data["year"].strip()
        if year != str(self.polling_year):
            raise forms.ValidationError(WRONG_YEAR)
        return year
