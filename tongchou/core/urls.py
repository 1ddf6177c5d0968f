"""Signing in and out, and changing one's password. No ``app_name``: ``LOGIN_URL`` and
``LOGOUT_REDIRECT_URL`` name these urls directly ("login"). The home page ("home") is the
portal's, the audit log ("audit") the accounts app's."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tongchou.core import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
