from django.contrib import admin
from django.utils.translation import gettext_lazy as _
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
    """The number and the date as the letter writes them: a day or a month
    it leaves blank stays blank (Directive.clean refuses a day without its
    month and a day its month does not have)."""

    list_display = ("number", "issued", "election")
    fields = (
        "election",
        "code",
        "number",
        ("issued_day", "issued_month", "issued_year"),
        "issuer",
        "issuer_en",
        "subject",
        "subject_en",
        "legal_basis",
        "legal_basis_en",
        "recipients",
        "recipients_en",
        "copied_to",
        "copied_to_en",
        "signed_by",
        "original_text",
    )
    inlines = [ObligationInline]

    @admin.display(description=_("date of issue"), ordering="issued_year")
    def issued(self, directive: Directive) -> str:
        return directive.issued_text


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
