from django.contrib import admin

from tongchou.linkage.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The catalogue is the deployment's: its administrator adds and edits products here."""

    list_display = ("name", "unit", "shelf_days", "active")
    list_filter = ("active",)
    search_fields = ("name",)
