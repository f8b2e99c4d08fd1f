from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import Incident, IncidentUpdate, SeverityPolicy, Shift


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    fields = ("created_at", "kind", "author", "text", "status_from", "status_to")
    readonly_fields = fields


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "title", "category", "severity", "status", "organisation")
    list_filter = ("status", "severity", "category")
    raw_id_fields = ("units", "districts")
    list_select_related = ("organisation",)
    inlines = [IncidentUpdateInline]


@admin.register(SeverityPolicy)
class SeverityPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("severity", "acknowledge_within", "leadership_after")


@admin.register(Shift)
class ShiftAdmin(SimpleHistoryAdmin):
    list_display = ("person_name", "organisation", "starts_at", "ends_at", "phone")
    list_filter = ("organisation__kind",)
    list_select_related = ("organisation",)
    raw_id_fields = ("organisation", "user")
