"""A second factor after the password (TOTP, django-otp) for Department
staff and admin-site users: they can change every organisation's records,
so a stolen password alone must not be enough
(contacts.middleware.SecondFactorMiddleware enforces it)."""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import User
from contacts.permissions import is_department, membership_of

# The name the admin lists a user's authenticator under.
DEVICE_NAME = "authenticator"


def second_factor_required(*, user: User) -> bool:
    """Whether this signed-in user must prove a second factor
    (SECOND_FACTOR_FOR_DEPARTMENT)."""
    if not settings.SECOND_FACTOR_FOR_DEPARTMENT or not user.is_authenticated:
        return False
    return user.is_staff or is_department(membership_of(user))


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose key the enrolment page shows; the same
    one on every visit until a code confirms it, so a reload does not
    invalidate a key already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """A correct code from a new device: it becomes the user's only one."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def second_factor_reset(*, user: User) -> int:
    """A lost phone: staff remove the user's devices (the admin's action);
    the next login enrols a new one."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted
