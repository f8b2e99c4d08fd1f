"""The code typed from an authenticator app (contacts.views.second_factor)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG_CODE = _("This code is not right. Type the six digits your app shows now.")
TOO_MANY = _("Too many wrong codes. Wait %(seconds)s seconds and try again.")


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        allowed, why = self.device.verify_is_allowed()
        if not allowed:
            until = (why or {}).get("locked_until", timezone.now())
            seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
            raise forms.ValidationError(TOO_MANY, params={"seconds": seconds})
        # A failure is counted on the device (django-otp's throttling) and
        # the next try must wait 1, 2, 4 … seconds.
        if not code.isdigit() or not self.device.verify_token(code):
            raise forms.ValidationError(WRONG_CODE)
        return code
