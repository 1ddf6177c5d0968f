from django.contrib import admin

from tongchou.pairing.models import Pair, PairItem, PairMember


class MemberInline(admin.TabularInline):
    model = PairMember
    extra = 0
    raw_id_fields = ["organization"]
    readonly_fields = ["side"]


class ItemInline(admin.TabularInline):
    model = PairItem
    extra = 0


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["name"]
    inlines = [MemberInline, ItemInline]
