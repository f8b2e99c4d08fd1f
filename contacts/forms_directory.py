"""The filter of the accepted directory (contacts.views.directory).

A plain form rather than a django-filter FilterSet: the search itself is the
selector's `body_search`, and a district the user may not read (another
district's pk typed into the URL) must yield no rows. FilterSet.qs instead
drops an invalid field and filters on the rest, which would show every
visible district.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import BodyKind, ContactListVersion, Organisation
from contacts.widgets import LongSelect


class DirectoryFilterForm(TypedInputForm, forms.Form):
    """GET filter: free text, district and kind of body, all optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name of a body or person, commune, or phone number."),
    )
    district = IdChoiceField(
        label=_("District"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All districts"),
        widget=LongSelect,  # a country has some 700 districts
    )
    kind = forms.ChoiceField(
        label=_("Kind of body"),
        choices=[("", _("All kinds")), *BodyKind.choices],
        required=False,
    )

    def __init__(self, *args, versions: QuerySet[ContactListVersion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only districts with an accepted version the user may read: this
        # both fills the choices and rejects any other district's pk.
        district = form_field(self, "district", IdChoiceField)
        district.queryset = Organisation.objects.filter(
            pk__in=versions.values("contact_list__organisation")
        ).order_by("unit__code", "name")
