"""Forms of the members' pages: inviting one person, changing a role, and
the invited person's own password."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from contacts.forms import TypedInputForm
from contacts.models import MemberRole


class InviteForm(TypedInputForm, forms.Form):
    """One person to invite (contacts.services.members.person_invite checks
    the rest and says what is wrong field by field). The name is kept
    precomposed (TypedInputForm), as the spreadsheet's importer keeps it."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        required=False,
        help_text=_("The link goes by SMS to a person without an e-mail address."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=MemberRole.choices, initial=MemberRole.EDITOR
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class JoinPasswordForm(SetPasswordForm):
    """Django's form for a new password (the project's validators), with
    the labels of a first password."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("The password again")
