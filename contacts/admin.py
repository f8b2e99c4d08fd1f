from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import (
    AdministrativeUnit,
    Contact,
    ContactImport,
    ContactList,
    ContactListVersion,
    Election,
    ElectionBody,
    ElectionMilestone,
    Heartbeat,
    Membership,
    Organisation,
    OutboundMessage,
    PhoneAccess,
    UnitLevel,
    User,
)


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Contact"), {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "division_type", "level", "parent", "edition")
    list_filter = ("edition", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_en", "code")
    raw_id_fields = ("unit",)
    filter_horizontal = ("served_units",)
    list_select_related = ("unit",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "served_units":
            # The areas directly under a province: districts, or communes of
            # a two-tier structure (contacts.selectors.units).
            kwargs["queryset"] = AdministrativeUnit.objects.filter(
                parent__level=UnitLevel.PROVINCE
            ).select_related("parent")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organisation", "role", "is_head")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__username", "user__full_name", "organisation__name")
    list_select_related = ("user", "organisation")


class ElectionMilestoneInline(admin.TabularInline):
    model = ElectionMilestone
    extra = 0


@admin.register(Election)
class ElectionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "province", "polling_day")
    raw_id_fields = ("province",)
    inlines = [ElectionMilestoneInline]


@admin.register(ElectionMilestone)
class ElectionMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("name", "election", "date", "days_from_polling")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_seen_at")


@admin.register(ContactList)
class ContactListAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "election", "accepted_version", "latest_version")
    list_select_related = (
        "organisation",
        "election",
        "accepted_version",
        "latest_version",
    )
    raw_id_fields = ("accepted_version", "latest_version")


@admin.register(ContactListVersion)
class ContactListVersionAdmin(SimpleHistoryAdmin):
    list_display = ("contact_list", "number", "status", "submitted_at", "reviewed_at")
    list_filter = ("status",)
    list_select_related = ("contact_list__organisation",)
    raw_id_fields = ("contact_list", "submitted_by", "reviewed_by")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(ElectionBody)
class ElectionBodyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "unit", "contact_list", "version")
    list_filter = ("kind", "level")
    search_fields = ("name", "unit__name")
    raw_id_fields = ("contact_list", "version", "unit")
    list_select_related = ("unit", "contact_list__organisation", "version")
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "position", "phones", "body")
    search_fields = ("full_name", "phones")
    raw_id_fields = ("body",)
    list_select_related = ("body",)


@admin.register(ContactImport)
class ContactImportAdmin(SimpleHistoryAdmin):
    list_display = (
        "original_name",
        "contact_list",
        "status",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("status",)
    raw_id_fields = ("contact_list", "uploaded_by")
    # The import's working file (contacts.services.kept_plans), not data.
    exclude = ("plan_file",)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "channel",
        "status",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("dedupe_key", "address", "subject")
    raw_id_fields = ("recipient", "organisation")
    list_select_related = ("recipient",)


@admin.register(PhoneAccess)
class PhoneAccessAdmin(admin.ModelAdmin):
    """The log of who read phone numbers is the record itself
    (contacts.models.access_log): listed, never added, changed or removed
    by anyone, superusers included."""

    list_display = ("at", "user", "organisation", "kind", "purpose")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__full_name", "purpose")
    list_select_related = ("user", "organisation")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
