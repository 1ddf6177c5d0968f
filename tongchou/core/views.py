"""Signing in and out and changing one's password: pages every user meets, which need nothing
from the apps above core (the home page lives in ``portal``, the audit log in ``accounts``)."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from tongchou.core.auth import password_chosen

# The session remembers whether its user must first choose a password (read by
# ``accounts.middleware``), so pages need no query to know it.
MUST_CHANGE_SESSION_KEY = "tongchou_must_change_password"


class LoginForm(AuthenticationForm):
    """Django's login form, telling the person when the lockout backend refused them and for
    how many more minutes, or that the password an administrator gave them has expired."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "login_locked_out", False):
                minutes = getattr(self.request, "login_lockout_minutes", 1)
                raise forms.ValidationError(
                    _("登录失败次数过多，请%(minutes)s分钟后再试。") % {"minutes": minutes},
                    code="locked_out",
                ) from None
            if getattr(self.request, "login_password_expired", False):
                raise forms.ValidationError(
                    _("管理员发给您的临时密码已过期，请联系管理员重置密码。"),
                    code="password_expired",
                ) from None
            raise


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page; choosing one's own password ends the obligation to
    change one an administrator gave (a new account, a reset)."""

    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        password_chosen(form.user)
        self.request.session[MUST_CHANGE_SESSION_KEY] = False
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = bool(self.request.session.get(MUST_CHANGE_SESSION_KEY))
        return context
