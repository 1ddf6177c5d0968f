"""The member's own talent profile, under /me/ (beside the portal's pages)."""

from django.urls import path

from tongchou.talent import views

app_name = "talent_me"

urlpatterns = [
    path("", views.my_profile, name="profile"),
]
