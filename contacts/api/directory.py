"""GET /api/v1/directory/: the accepted contact directory, for the operations
centre of a carrier (or a district's own system) to keep a copy in sync.

The scope is the web directory's (contacts.views.directory): the versions in
force of contacts.permissions.accepted_versions_visible_to (a carrier: the
districts it serves; a district: its own list), read with the same
selectors (directory_bodies, DirectoryListing), so that a page costs the
same number of queries whatever its size
(tests/contacts/test_api_directory.py pins it). Each read that returns
bodies is recorded in the phone-access log (contacts.services.access_log).
"""

import datetime
import re

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.api.pagination import ApiPagination
from contacts.api.schema import error_responses
from contacts.http import AuthenticatedRequest
from contacts.models import (
    BodyKind,
    ContactListVersion,
    ContactPosition,
    ElectionBody,
    PhoneAccessKind,
    UnitLevel,
    User,
)
from contacts.permissions import accepted_versions_visible_to
from contacts.phones import PhoneType, phone_type
from contacts.selectors import directory_bodies
from contacts.selectors.contact_lists import DirectoryListing, directory_versions
from contacts.selectors.registry import election_current
from contacts.selectors.units import area_communes, unit_by_code
from contacts.services.access_log import phone_access_record

# GSO codes are digits ("380", "14758"); letters are allowed because the
# test factories write "D0001". Anything else (spaces, NUL) is refused before
# it reaches the database.
CODE_PATTERN = r"^[0-9A-Za-z]{1,10}$"
# ISO 8601 as RFC 3339 writes it, seconds and time zone optional; checked
# before parsing, because Python also reads a bare date or "2021-W14".
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"
    r"(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
)

BAD_CODE = _("Give a GSO code: letters and digits only, at most 10.")
BAD_DATETIME = _(
    "Give a date and time in ISO 8601, e.g. 2021-04-10T09:30:00+07:00 "
    "(without a time zone: Vietnam time)."
)
BAD_PAGE = _("Give a page number, 1 or more.")
BAD_PAGE_SIZE = _("Give a number of bodies per page, 1 or more.")
PAGE_TOO_LARGE = _("At most {max_value} bodies per page.")

SYNC_DESCRIPTION = """\
The election bodies of the accepted (in-force) contact lists that the
token's organisation may read, as in the web directory: a carrier, the
districts it serves; a district, its own list. One item per body, with its
district, its commune (none for a district-level body) and its people.

Items are ordered by district (GSO code), then by the GSO code of the
body's unit, kind and name, and paginated (`page`, `page_size`).

**Keeping a copy in sync.** Each district's list is accepted as a whole:
a newly accepted version replaces the previous one entirely (bodies may be
added, changed or removed). So a client replaces rows per *list* (one
district's list for one election, `list`), never body by body:

1. First sync: read every page without `changed_since`. Keep the rows with
   their `list` and `version`.
2. Next syncs: read every page with `changed_since` set to the greatest
   `accepted_at` seen so far (percent-encode the `+` of a time zone, or
   write `Z`). `versions` names every list with a version accepted since
   then (it is the same on every page): for each, delete every row held for
   that `list`, then keep the items of that `version`. `replaces_version`
   is the version in force before it (none for a first acceptance).
   Replacing twice is harmless, so asking from a little earlier is safe.
3. If `versions` differs from one page to the next, a list was accepted
   meanwhile: start that sync again.

`district` is a GSO code read in the current election's administrative
structure (a newer structure may give an old code to another unit); it
selects that unit's lists of every election. A district the token may not
read (not served, not its own, unknown, or with no accepted list yet) given
as `district`, or a commune of none of them as `commune`, is answered 404,
as the web directory's district sheet is. With `commune`, `versions` still
names whole lists: replace only that commune's rows.
"""


@extend_schema_field(
    {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}
)
class IsoDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time; without a time zone, Vietnam time."""

    def __init__(self, **kwargs) -> None:
        kinds = ("invalid", "date", "make_aware", "overflow")
        super().__init__(error_messages=dict.fromkeys(kinds, BAD_DATETIME), **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(DATETIME_PATTERN, value):
            self.fail("invalid")
        try:
            value = super().to_internal_value(value)
            # SQLite is given UTC: year 1 in Vietnam time would overflow
            # there (and DRF's own check of a naive year 1 overflows too).
            value.astimezone(datetime.UTC)
        except OverflowError:
            self.fail("overflow")
        return value


class GsoCodeField(serializers.RegexField):
    """A GSO code. Matched whole: the RegexField alone lets a trailing
    newline through (Python's `$`)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            CODE_PATTERN,
            trim_whitespace=False,
            error_messages={"invalid": BAD_CODE, "blank": BAD_CODE},
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not re.fullmatch(CODE_PATTERN, value):
            self.fail("invalid")
        return value


class DirectoryQuerySerializer(serializers.Serializer):
    district = GsoCodeField(
        required=False,
        help_text="GSO code of a district (e.g. `380`), in the current election's "
        "structure: only its lists. 404 if the token may not read it.",
    )
    commune = GsoCodeField(
        required=False,
        help_text="GSO code of a commune (e.g. `14758`): only its bodies. 404 if it is "
        "in no district the token may read.",
    )
    changed_since = IsoDateTimeField(
        required=False,
        help_text="Only the lists whose version in force was accepted after "
        "this moment (ISO 8601; without a time zone, Vietnam time).",
    )
    page = serializers.IntegerField(
        min_value=1,
        required=False,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_string_length"), BAD_PAGE
        ),
        help_text="Page number, from 1.",
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=ApiPagination.max_page_size,
        required=False,
        error_messages={
            **dict.fromkeys(
                ("invalid", "min_value", "max_string_length"), BAD_PAGE_SIZE
            ),
            "max_value": PAGE_TOO_LARGE,
        },
        help_text=f"Bodies per page: {ApiPagination.page_size} unless given, "
        f"at most {ApiPagination.max_page_size}.",
    )


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="GSO code.")
    name = serializers.CharField()


class PhoneSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="E.164, e.g. +84912345678.")
    type = serializers.ChoiceField(choices=[t.value for t in PhoneType])


class ContactSerializer(serializers.Serializer):
    uid = serializers.UUIDField(help_text="The same in every version.")
    name = serializers.CharField(source="full_name")
    position = serializers.ChoiceField(choices=ContactPosition.choices)
    position_label = serializers.CharField(
        source="get_position_display", help_text="In the token owner's language."
    )
    phones = serializers.SerializerMethodField()
    email = serializers.CharField()
    note = serializers.CharField()

    @extend_schema_field(PhoneSerializer(many=True))
    def get_phones(self, contact) -> list[dict]:
        return [{"number": n, "type": phone_type(n)} for n in contact.phone_list]


class BodySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.UUIDField(help_text="The same in every version of the list.")
    list = serializers.IntegerField(
        source="contact_list_id", help_text="The district's list (per election)."
    )
    version = serializers.IntegerField(source="version_id")
    accepted_at = serializers.DateTimeField(
        source="in_force.reviewed_at", allow_null=True
    )
    district = UnitSerializer(source="in_force.contact_list.organisation.unit")
    commune = UnitSerializer(
        allow_null=True, help_text="None for a district-level body."
    )
    kind = serializers.ChoiceField(choices=BodyKind.choices)
    kind_label = serializers.CharField(
        source="get_kind_display", help_text="In the token owner's language."
    )
    name = serializers.CharField()
    polling_areas = serializers.CharField()
    address = serializers.CharField(source="location", help_text="Working location.")
    contacts = ContactSerializer(many=True, source="contacts.all")


class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="1, 2… within its list.")
    list = serializers.IntegerField(source="contact_list_id")
    district = UnitSerializer(source="contact_list.organisation.unit")
    accepted_at = serializers.DateTimeField(source="reviewed_at", allow_null=True)
    replaces_version = serializers.IntegerField(
        allow_null=True, help_text="The version in force before this one."
    )


class DirectoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Bodies on all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    versions = VersionSerializer(
        many=True, help_text="The lists to replace (see the description)."
    )
    results = BodySerializer(many=True)


def _versions_in_force(user: User, district: str | None) -> list[ContactListVersion]:
    """The versions in force the user may read (one query). 404 for a
    district the user may not read, as contacts.views.directory.print_sheet
    answers."""
    q = accepted_versions_visible_to(user)
    if district:
        # Read in the current election's structure, as every GSO code of
        # the API is: a code GSO reused in another edition names one unit.
        election = election_current()
        unit = election and unit_by_code(election=election, code=district)
        q = q.filter(contact_list__organisation__unit=unit) if unit else q.none()
    versions = list(directory_versions(versions=q))
    if district and not versions:
        raise Http404
    return versions


def _check_commune(commune: str, versions: list[ContactListVersion]) -> None:
    """404 unless the commune is in a district whose list the user reads."""
    # Scoped to the lists' districts, so a code GSO reused in another
    # edition of the structure cannot match (contacts.selectors.units).
    districts = {v.contact_list.organisation.unit_id for v in versions}
    found = area_communes(districts).filter(code=commune)
    if not found.exists():
        raise Http404


def _accepted_after(
    versions: list[ContactListVersion], moment: datetime.datetime | None
) -> list[ContactListVersion]:
    if moment is None:
        return versions
    return [v for v in versions if v.reviewed_at and v.reviewed_at > moment]


def _with_version(
    bodies: list[ElectionBody], versions: list[ContactListVersion]
) -> list[ElectionBody]:
    """What BodySerializer reads besides the body: its version in force
    (district, accepted_at) and its commune."""
    by_id: dict[int | None, ContactListVersion] = {v.pk: v for v in versions}
    for body in bodies:
        body.in_force = by_id[body.version_id]
        body.commune = body.unit if body.unit.level == UnitLevel.COMMUNE else None
    return bodies


class DirectoryView(APIView):
    @extend_schema(
        operation_id="directory_list",
        summary="The accepted contact directory, for sync",
        description=SYNC_DESCRIPTION,
        parameters=[DirectoryQuerySerializer],
        responses={200: DirectoryPageSerializer, **error_responses(400, 404)},
        tags=["directory"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        # A plain dict: DRF reads an empty value of a QueryDict as a missing
        # one, and `page=` would then reach the paginator (a 404).
        query = DirectoryQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        versions = _versions_in_force(request.user, params.get("district"))
        commune = params.get("commune")
        if commune:
            _check_commune(commune, versions)
        versions = _accepted_after(versions, params.get("changed_since"))
        ids = [v.pk for v in versions]
        bodies = directory_bodies(
            versions=ContactListVersion.objects.filter(pk__in=ids)
        )
        if commune:
            bodies = bodies.filter(unit__code=commune)
        paginator = ApiPagination()
        # DRF's paginator only takes len() and slices of the listing; its
        # stubs ask for a whole QuerySet or Sequence.
        page: list[ElectionBody] | None = paginator.paginate_queryset(
            DirectoryListing(bodies, ids),  # type: ignore[arg-type]
            request,
            view=self,
        )
        if page is None or paginator.page is None:  # ApiPagination has a page size
            raise Http404
        phone_access_record(
            user=request.user,
            kind=PhoneAccessKind.API_DIRECTORY,
            districts=[body.contact_list.organisation_id for body in page or ()],
        )
        data = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "versions": versions,
            "results": _with_version(page, versions),
        }
        return Response(DirectoryPageSerializer(data).data)
