from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from readiness.models import Deadline, Directive, Obligation


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ("position", "code", "recipient_group", "title", "evidence_kind")


@admin.register(Directive)
class DirectiveAdmin(SimpleHistoryAdmin):
    list_display = ("number", "issued_on", "election")
    inlines = [ObligationInline]


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "recipient_group", "evidence_kind", "directive")
    list_filter = ("recipient_group", "evidence_kind")


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ("obligation", "organisation", "due_at", "days_before_polling")
    list_filter = ("obligation__code",)
    raw_id_fields = ("organisation",)
    list_select_related = ("obligation", "organisation")
