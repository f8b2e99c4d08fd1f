"""An id read from outside (a URL, a query string, a form, the API) that
cannot be one (beyond the database's bigint, negative, not ASCII digits, a
NUL) is refused as a record that does not exist would be: the form's own
error, 404 for a URL, 400 in the API's body; never a server error, on
SQLite and PostgreSQL (contacts.ids).

The checks at the end find every model choice, filter, serializer field
and URL id of the project by introspection, so that a new one cannot
forget the rule."""

import ast
import importlib
import pkgutil
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.db.models import Model
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django.utils.html import escape
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from contacts.ids import (
    ID_MAX,
    IdChoiceField,
    IdConverter,
    IdMultipleChoiceField,
    IdMultipleChoiceFilter,
    IdRelatedField,
)
from contacts.models import ApiToken, ContactList, ElectionBody, Organisation
from incidents.models import Incident
from tests.api import token_client
from tests.incidents.helpers import report

ROOT = Path(__file__).resolve().parent.parent

# None of these is an id; the first two were server errors on SQLite where
# Django queries with `__in` (OverflowError), "٣" was read as 3.
NOT_IDS = [
    str(ID_MAX + 1),
    str(2**64),
    "9" * 5000,  # int() refuses more than 4,300 digits
    "-1",
    "0",
    "1.5",
    "1e3",
    "1\x00",
    "abc",
    " 1",
    "1_0",
    "٣",  # int() reads it as 3
]


def other_digits(number: int) -> str:
    """`number` in Arabic-Indic digits, which int() reads as `number`."""
    return "".join(chr(0x660 + int(d)) for d in str(number))


# --- Forms --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_multiple_choice_refuses_what_is_no_id_and_saves_nothing(
    client, world, value
):
    client.force_login(world.staff)
    url = f"/organisations/{world.telecom.pk}/areas-served/"
    response = client.post(url, {"units": [world.district_b.unit_id, value]})
    assert response.status_code == 200
    [error] = response.context["form"].errors["units"]
    assert escape(error) in response.content.decode()
    assert list(world.telecom.served_units.all()) == [world.district_a.unit]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*NOT_IDS, "other digits"])
def test_a_single_choice_refuses_what_is_no_id_and_saves_nothing(client, world, value):
    if value == "other digits":  # Django's own field took it for the id
        value = other_digits(world.telecom.pk)
    client.force_login(world.staff)
    response = client.post(
        "/api-tokens/", {"organisation": value, "name": "Hệ thống NOC"}
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["organisation"]
    assert escape(error) in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*NOT_IDS, "other digits"])
def test_a_filter_refuses_what_is_no_id_and_says_so(client, world, value):
    if value == "other digits":
        value = other_digits(world.telecom.pk)
    report(world)
    client.force_login(world.staff)
    response = client.get("/incidents/", {"organisation": value, "district": value})
    found = response.context["filter"]
    assert response.status_code == 200
    assert set(found.errors) == {"organisation", "district"}
    for [error] in found.errors.values():
        assert escape(error) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_formsets_hidden_row_id_that_is_no_id_saves_nothing(client, world, value):
    """The row ids of a model formset are Django's own field, which reads
    an id with `exact` only (safe at any size); checked here so that it
    stays so."""
    contact_list = ContactList.objects.create(
        election=world.directive.election, organisation=world.district_a
    )
    client.force_login(world.district_a_officer)
    response = client.post(
        f"/contact-lists/{contact_list.pk}/bodies/new/",
        {
            "kind": "team",
            "unit": world.district_a.unit.children.first().pk,
            "name": "Tổ bầu cử số 7",
            "polling_areas": "KVBP 7",
            "location": "Trường tiểu học",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": value,
            "contacts-0-full_name": "Phạm Văn Cường",
            "contacts-0-position": "chair",
            "contacts-0-phones": "0912 345 678",
        },
    )
    assert response.status_code == 200
    assert list(response.context["formset"].errors[0]) == ["id", "__all__"]
    assert not ElectionBody.objects.exists()


@pytest.mark.django_db
def test_a_real_id_is_still_chosen(client, world):
    client.force_login(world.staff)
    url = f"/organisations/{world.telecom.pk}/areas-served/"
    client.post(url, {"units": [str(world.district_b.unit_id)]})
    assert list(world.telecom.served_units.all()) == [world.district_b.unit]


# --- URLs ---------------------------------------------------------------------


def test_the_largest_id_is_read_and_one_more_matches_no_route():
    assert resolve(f"/incidents/{ID_MAX}/").kwargs == {"pk": ID_MAX}
    for value in (str(ID_MAX + 1), "0", "9" * 5000):
        with pytest.raises(Resolver404):
            resolve(f"/incidents/{value}/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/incidents/{}/", "/organisations/{}/"])
def test_a_page_with_an_id_out_of_range_is_not_found(client, world, path):
    client.force_login(world.staff)
    assert client.get(path.format(ID_MAX + 1)).status_code == 404
    assert client.get(path.format(ID_MAX)).status_code == 404


# --- API ----------------------------------------------------------------------


@pytest.fixture
def api(world):
    return token_client(organisation=world.telecom, by=world.telecom_officer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/incidents/{}/"),
        ("patch", "/api/v1/incidents/{}/"),
        ("post", "/api/v1/incidents/{}/updates/"),
        ("get", "/api/v1/rosters/{}/2021-05/"),
    ],
)
@pytest.mark.parametrize("value", [ID_MAX, ID_MAX + 1, 2**64])
def test_the_api_answers_404_for_an_id_out_of_range(api, method, path, value):
    response = getattr(api, method)(path.format(value), {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_schema_says_which_ids_a_path_takes():
    document = SchemaGenerator().get_schema(request=None, public=True)
    [parameter] = document["paths"]["/api/v1/incidents/{id}/"]["get"]["parameters"]
    assert parameter["schema"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 1,
        "maximum": ID_MAX,
    }


class _Chosen(serializers.Serializer):
    organisation = IdRelatedField(queryset=Organisation.objects.all())
    organisations = IdRelatedField(queryset=Organisation.objects.all(), many=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", [*NOT_IDS, ID_MAX + 1, 2**64, -1, 1.5, 1.0, True, None, [1], {"id": 1}]
)
def test_an_api_body_refuses_what_is_no_id(world, value):
    sent = _Chosen(data={"organisation": value, "organisations": [value]})
    assert not sent.is_valid()
    assert set(sent.errors) == {"organisation", "organisations"}


@pytest.mark.django_db
def test_an_api_body_takes_a_real_id_as_a_number_or_text(world):
    pk = world.telecom.pk
    sent = _Chosen(data={"organisation": pk, "organisations": [str(pk)]})
    assert sent.is_valid(), sent.errors
    assert sent.validated_data == {
        "organisation": world.telecom,
        "organisations": [world.telecom],
    }


# --- Every one of the project's --------------------------------------------------


def project_modules() -> list[str]:
    """Every module of the project's apps (their migrations aside)."""
    names = []
    for config in apps.get_app_configs():
        # The project's own apps lie where their dotted name says, below the
        # repository (a virtualenv inside it holds installed apps too).
        if Path(config.path).resolve() != (ROOT / config.name.replace(".", "/")):
            continue
        names.append(config.name)
        for info in pkgutil.walk_packages([config.path], f"{config.name}."):
            if ".migrations" not in info.name:
                names.append(info.name)
    for name in names:
        importlib.import_module(name)
    return names


def project_classes(base: type) -> list[type]:
    modules = set(project_modules())
    found: list[type[object]] = []
    todo: list[type[object]] = [base]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__ in modules:
                found.append(cls)
    return found


def plain_model_choices(form_classes) -> list[str]:
    """Model-choice fields of these forms (declared, or made by a ModelForm
    from a foreign key) that are not contacts.ids'."""
    return [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in form_classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
        and not isinstance(field, IdChoiceField | IdMultipleChoiceField)
    ]


def plain_model_filters(filterset_classes) -> list[str]:
    return [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in filterset_classes
        for name, found in cls.base_filters.items()
        if issubclass(found.field_class, forms.ModelChoiceField)
        and not issubclass(found.field_class, IdChoiceField | IdMultipleChoiceField)
    ]


def _related_fields(fields, path: str):
    """(where, field, the field that reads the id) of every writable field,
    nested serializers included."""
    for name, field in fields.items():
        where = f"{path}.{name}"
        inner = getattr(field, "child", None) or getattr(field, "child_relation", None)
        if field.read_only:
            continue
        if isinstance(field, serializers.Serializer):
            yield from _related_fields(field.fields, where)
        elif isinstance(inner, serializers.Serializer):
            yield from _related_fields(inner.fields, where)
        else:
            yield where, inner or field


def plain_related_fields(serializer_classes) -> list[str]:
    """Writable primary-key fields of these serializers that are not
    contacts.ids'."""
    return [
        where
        for cls in serializer_classes
        for where, field in _related_fields(
            cls().fields, f"{cls.__module__}.{cls.__qualname__}"
        )
        if isinstance(field, serializers.PrimaryKeyRelatedField)
        and not isinstance(field, IdRelatedField)
    ]


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace != "admin":  # Django's own
                yield prefix + str(p.pattern), p.pattern
                yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.pattern


def ids_not_read_as_ids(patterns) -> list[str]:
    """Routes with a number or an id (pk, id, *_id) that the `id` converter
    does not read, and any regex route that reads a value (which no
    converter checks)."""
    found = []
    for route, pattern in _routes(patterns):
        if not isinstance(pattern, RoutePattern):
            if pattern.regex.groups:
                found.append(route)
            continue
        for name, converter in pattern.converters.items():
            is_id = name in ("pk", "id") or name.endswith("_id")
            if (is_id or isinstance(converter, IntConverter)) and not isinstance(
                converter, IdConverter
            ):
                found.append(route)
    return found


def models_chosen(form_classes, filterset_classes) -> set[type[Model]]:
    found: set[type[Model]] = set()
    for cls in form_classes:
        for field in cls.base_fields.values():
            if isinstance(field, forms.ModelChoiceField):
                assert field.queryset is not None
                found.add(field.queryset.model)
    for cls in filterset_classes:
        for field in cls.base_filters.values():
            if issubclass(field.field_class, forms.ModelChoiceField):
                found.add(field.extra["queryset"].model)
    return found


def test_every_model_choice_of_a_form_is_contacts_ids():
    assert plain_model_choices(project_classes(forms.BaseForm)) == []


def test_every_model_choice_filter_is_contacts_ids():
    assert plain_model_filters(project_classes(django_filters.FilterSet)) == []


def test_every_writable_related_field_of_the_api_is_contacts_ids():
    serializer_classes = project_classes(serializers.BaseSerializer)
    assert serializer_classes  # the walk finds the API's
    assert plain_related_fields(serializer_classes) == []


def test_every_id_of_a_url_is_read_by_the_id_converter():
    assert ids_not_read_as_ids(get_resolver().url_patterns) == []


def test_every_record_chosen_has_a_bigint_id():
    """ID_MAX is the largest bigint: a record with a 32-bit id would need
    its own bound."""
    chosen = models_chosen(
        project_classes(forms.BaseForm), project_classes(django_filters.FilterSet)
    )
    assert Organisation in chosen
    assert {
        model: model._meta.pk.get_internal_type()
        for model in chosen
        if model._meta.pk.get_internal_type() != "BigAutoField"
    } == {}


# Django's, django-filter's and DRF's classes that take an id unchecked: only
# contacts/ids.py names them (a field made in a form's __init__ is not in
# base_fields).
UNCHECKED = {
    "ModelChoiceField",
    "ModelMultipleChoiceField",
    "ModelChoiceFilter",
    "ModelMultipleChoiceFilter",
    "PrimaryKeyRelatedField",
}


def unchecked_names(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.alias):
            name = node.name.rsplit(".", 1)[-1]
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.Name):
            name = node.id
        else:
            continue
        if name in UNCHECKED:
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def test_only_contacts_ids_names_the_unchecked_classes():
    found = []
    for app in ("contacts", "incidents", "readiness"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path != ROOT / "contacts/ids.py":
                found += unchecked_names(path)
    assert found == []


# --- The checks catch a forgotten one ---------------------------------------------


class _PlainForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all())
    checked = IdChoiceField(queryset=Organisation.objects.all())


class _PlainModelForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["organisation"]


class _PlainFilter(django_filters.FilterSet):
    organisations = django_filters.ModelMultipleChoiceFilter(
        queryset=Organisation.objects.all()
    )
    checked = IdMultipleChoiceFilter(queryset=Organisation.objects.all())


class _PlainSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True
    )
    shown: serializers.PrimaryKeyRelatedField[Organisation] = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )


def test_the_checks_catch_a_forgotten_one(tmp_path):
    assert plain_model_choices([_PlainForm, _PlainModelForm]) == [
        "tests.test_ids_in_range._PlainForm.organisation",
        "tests.test_ids_in_range._PlainModelForm.organisation",
    ]
    assert plain_model_filters([_PlainFilter]) == [
        "tests.test_ids_in_range._PlainFilter.organisations"
    ]
    assert plain_related_fields([_PlainSerializer, _Chosen]) == [
        "tests.test_ids_in_range._PlainSerializer.organisation"
    ]
    from django.urls import path, re_path

    def view(request):
        raise AssertionError

    patterns = [
        path("a/<int:pk>/", view),
        path("b/<str:organisation_id>/", view),
        path("c/<id:pk>/<str:period>/", view),
        re_path(r"^d/(?P<pk>\d+)/$", view),
    ]
    assert ids_not_read_as_ids(patterns) == [
        "a/<int:pk>/",
        "b/<str:organisation_id>/",
        "^d/(?P<pk>\\d+)/$",
    ]
    made = tmp_path / "forms.py"
    made.write_text(
        "from django import forms\n"
        "from django.forms import ModelMultipleChoiceField as Many\n"
        "field = forms.ModelChoiceField(queryset=None)\n"
    )
    assert unchecked_names(made, root=tmp_path) == [
        "forms.py:2 ModelMultipleChoiceField",
        "forms.py:3 ModelChoiceField",
    ]
