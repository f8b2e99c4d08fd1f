from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from readiness.models import (
    Deadline,
    Directive,
    Obligation,
    OfficialDocument,
    PlanAttachment,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ReminderRule,
    SectionReview,
)


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


@admin.register(ReminderRule)
class ReminderRuleAdmin(SimpleHistoryAdmin):
    list_display = ("directive", "enabled", "offsets_days", "quiet_start", "quiet_end")


class PlanSectionInline(admin.StackedInline):
    model = PlanSection
    extra = 0
    fields = (
        "obligation",
        "measures",
        "responsible_name",
        "responsible_phone",
        "revision",
    )
    readonly_fields = ("revision",)


@admin.register(ReadinessPlan)
class ReadinessPlanAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "directive", "latest_version")
    list_select_related = ("organisation", "directive", "latest_version")
    raw_id_fields = ("latest_version",)
    inlines = [PlanSectionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "number", "submitted_at", "submitted_by")
    list_select_related = ("plan__organisation", "submitted_by")


@admin.register(SectionReview)
class SectionReviewAdmin(SimpleHistoryAdmin):
    list_display = ("version", "obligation", "status", "reviewed_by", "reviewed_at")
    list_filter = ("status",)
    list_select_related = ("version__plan__organisation", "obligation", "reviewed_by")


@admin.register(PlanAttachment)
class PlanAttachmentAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "section", "content_type", "size", "uploaded_at")
    list_select_related = ("section__plan__organisation", "section__obligation")


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(SimpleHistoryAdmin):
    """Drafts are written on the documents' pages, which check their figures;
    here they may be looked at or deleted. An issued document is read-only
    and cannot be deleted: what was sent stays as it was
    (readiness.services.documents)."""

    list_display = ("__str__", "kind", "status", "issued_on", "summary", "election")
    list_filter = ("status", "kind")
    list_select_related = ("election",)
    raw_id_fields = ("replaces",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete would not ask has_delete_permission per document.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
