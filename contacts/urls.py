from django.urls import path

from contacts.views import (
    access_log,
    adoption,
    api_tokens,
    contact_lists,
    directory,
    invitation_imports,
    members,
    registry,
)

app_name = "contacts"
urlpatterns = [
    # Tokens of the API (/api/v1/) for organisations' own systems.
    path("api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path(
        "api-tokens/<id:pk>/revoke/",
        api_tokens.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("organisations/", registry.organisation_list, name="organisation_list"),
    path(
        "organisations/<id:pk>/",
        registry.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<id:pk>/areas-served/",
        registry.organisation_served_areas,
        name="organisation_served_areas",
    ),
    # An organisation's people (contacts.services.members).
    path("organisations/<id:pk>/members/", members.members, name="members"),
    path(
        "organisations/<id:pk>/members/history/",
        members.history,
        name="member_history",
    ),
    path("members/<id:pk>/role/", members.member_role, name="member_role"),
    path(
        "members/<id:pk>/deactivate/",
        members.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "members/<id:pk>/reactivate/",
        members.member_reactivate,
        name="member_reactivate",
    ),
    path("members/<id:pk>/resend/", members.member_resend, name="member_resend"),
    # Inviting people from a spreadsheet (the Department's editors).
    path("people/import/", invitation_imports.people_import, name="people_import"),
    path(
        "people/import/template.xlsx",
        invitation_imports.people_import_template,
        name="people_import_template",
    ),
    # District contact lists (obligation D2).
    path("contact-lists/", contact_lists.index, name="contact_list_index"),
    path(
        "contact-lists/template.xlsx",
        contact_lists.import_template,
        name="import_template",
    ),
    path("contact-lists/<id:pk>/", contact_lists.detail, name="contact_list_detail"),
    path(
        "contact-lists/<id:pk>/bodies/new/",
        contact_lists.body_create,
        name="body_create",
    ),
    path(
        "contact-lists/<id:pk>/import/",
        contact_lists.import_upload,
        name="import_upload",
    ),
    path(
        "contact-lists/<id:pk>/submit/",
        contact_lists.submit,
        name="contact_list_submit",
    ),
    path(
        "contact-lists/<id:pk>/changes/",
        contact_lists.changes,
        name="contact_list_changes",
    ),
    path("bodies/<id:pk>/edit/", contact_lists.body_edit, name="body_edit"),
    path("bodies/<id:pk>/delete/", contact_lists.body_delete, name="body_delete"),
    path("imports/<id:pk>/", contact_lists.import_preview, name="import_preview"),
    path(
        "imports/<id:pk>/columns/", contact_lists.import_columns, name="import_columns"
    ),
    path("imports/<id:pk>/apply/", contact_lists.import_apply, name="import_apply"),
    path(
        "imports/<id:pk>/discard/", contact_lists.import_discard, name="import_discard"
    ),
    path(
        "versions/<id:pk>/accept/", contact_lists.version_accept, name="version_accept"
    ),
    path(
        "versions/<id:pk>/return/", contact_lists.version_return, name="version_return"
    ),
    # The accepted directory, for carriers, observers and staff.
    path("directory/", directory.search, name="directory"),
    path("directory/export.<str:fmt>", directory.export, name="directory_export"),
    path(
        "directory/districts/<id:pk>/print/",
        directory.print_sheet,
        name="directory_print",
    ),
    # Who has joined, per organisation and per person (the Department and
    # observers; Department editors resend the invitations not accepted).
    path("people/", adoption.adoption, name="adoption"),
    path("people/adoption.csv", adoption.adoption_csv, name="adoption_csv"),
    path(
        "people/<id:pk>/resend/",
        adoption.adoption_resend,
        name="adoption_resend",
    ),
    # Who was shown which districts' phone numbers (the Department).
    path("personal-data/access-log/", access_log.access_log, name="access_log"),
]
