"""Site pages at the root. No ``app_name``: ``LOGIN_URL``, ``LOGIN_REDIRECT_URL`` and
``LOGOUT_REDIRECT_URL`` name these urls directly ("login", "home")."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tongchou.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change_form.html"
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("audit/", views.audit_log, name="audit"),
]
