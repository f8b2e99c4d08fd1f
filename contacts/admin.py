from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import (
    AdministrativeUnit,
    Election,
    ElectionMilestone,
    Heartbeat,
    Membership,
    Organisation,
    User,
)


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    fk_name = "user"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Contact"), {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "division_type", "level", "parent")
    list_filter = ("level",)
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
            kwargs["queryset"] = AdministrativeUnit.objects.filter(level="district")
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
