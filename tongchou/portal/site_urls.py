"""The home page at ``/`` (url name "home", no namespace: ``LOGIN_REDIRECT_URL`` names it)."""

from django.urls import path

from tongchou.portal import views

urlpatterns = [
    path("", views.start, name="home"),
]
