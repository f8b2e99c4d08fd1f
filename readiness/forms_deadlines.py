"""Forms of the deadlines page (readiness.views.oversight). They check the
shape of what was typed; readiness.services.deadlines checks the rules
(a reason is given, an extension ends after the default)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm, form_field
from contacts.ids import IdChoiceField
from contacts.models import Organisation, OrganisationKind
from contacts.validators import validate_date_in_range
from contacts.widgets import LongSelect
from readiness.models import GROUP_KINDS, Directive, EvidenceKind, Obligation

# Typed the Vietnamese way whatever the page language: 15/04/2021 17:00.
DUE_AT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]
DUE_AT_WIDGET_FORMAT = "%d/%m/%Y %H:%M"
NOT_ADDRESSED = _("This obligation is not addressed to this organisation.")


def _due_at_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("New deadline"),
        input_formats=DUE_AT_FORMATS,
        widget=forms.DateTimeInput(
            format=DUE_AT_WIDGET_FORMAT,
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
        ),
        help_text=_("Day/month/year hour:minute, e.g. 15/04/2021 17:00."),
        validators=[validate_date_in_range],
    )


def _reason_field() -> forms.CharField:
    # Required here too, so the page says so before the service refuses.
    return forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history of the deadline."),
    )


def _organisation_labeller():
    """Name (kind) for each organisation, the kinds translated once: per
    option, the lookup cost 0.3 s for a country's 1,700 organisations."""
    kinds = {value: str(label) for value, label in OrganisationKind.choices}
    return lambda organisation: (
        f"{organisation.display_name} ({kinds[organisation.kind]})"
    )


class DeadlineMoveForm(TypedInputForm, forms.Form):
    """Move the deadline every recipient of an obligation has."""

    due_at = _due_at_field()
    reason = _reason_field()


class ExtensionForm(TypedInputForm, forms.Form):
    """Give one organisation more time for one obligation."""

    obligation = IdChoiceField(
        label=_("Obligation"), queryset=Obligation.objects.none()
    )
    organisation = IdChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), widget=LongSelect
    )
    due_at = _due_at_field()
    reason = _reason_field()

    def __init__(self, *args, directive: Directive, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        obligations = Obligation.objects.filter(directive=directive).exclude(
            evidence_kind=EvidenceKind.CHANNEL
        )
        obligation = form_field(self, "obligation", IdChoiceField)
        obligation.queryset = obligations.order_by("position")
        kinds = {kind for kinds in GROUP_KINDS.values() for kind in kinds}
        organisation = form_field(self, "organisation", IdChoiceField)
        organisation.queryset = Organisation.objects.filter(
            kind__in=kinds, is_active=True
        ).order_by("kind", "name")
        # Django calls the field's label_from_instance: set on this form's copy.
        organisation.label_from_instance = _organisation_labeller()  # type: ignore[method-assign]

    def clean(self) -> dict:
        cleaned = super().clean()
        obligation = cleaned.get("obligation")
        organisation = cleaned.get("organisation")
        if (
            obligation
            and organisation
            and organisation.kind not in GROUP_KINDS[obligation.recipient_group]
        ):
            self.add_error("organisation", NOT_ADDRESSED)
        return cleaned


class RevokeForm(TypedInputForm, forms.Form):
    """Take an extension back; the organisation falls back to the default."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.TextInput(), max_length=1000
    )
