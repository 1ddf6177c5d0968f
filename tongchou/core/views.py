"""Pages every user meets: home, login/logout, password change, and the audit log."""

import datetime as dt
import math

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongchou.core.models import AuditAction, AuditEvent, LoginFailure
from tongchou.organizations import selectors as org_selectors
from tongchou.organizations.permissions import Action, can, has_any_role, scope_for


def lockout_minutes_left(username: str) -> int:
    """Whole minutes until ``username`` may try again (at least 1 while locked)."""
    limit = settings.LOGIN_FAILURE_LIMIT
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    since = timezone.now() - window
    times = list(
        LoginFailure.objects.filter(username__iexact=username, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(times) < limit:
        return 1
    seconds = (times[-1] + window - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


class LoginForm(AuthenticationForm):
    """Django's login form, telling the person when the lockout backend refused them."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "login_locked_out", False):
                minutes = lockout_minutes_left(self.cleaned_data.get("username", ""))
                raise forms.ValidationError(
                    _("登录失败次数过多，请%(minutes)s分钟后再试。") % {"minutes": minutes},
                    code="locked_out",
                ) from None
            raise


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    roles = list(org_selectors.role_list_for(request.user))
    rows = org_selectors.roots_with_counts(request.user) if has_any_role(request.user) else []
    return render(
        request,
        "core/home.html",
        {
            "roles": roles,
            "rows": rows,
            "can_view_members": can(request.user, Action.VIEW_MEMBERS),
        },
    )


def _object_type_choices() -> list[tuple[str, str]]:
    types = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("tongchou.") and model is not AuditEvent
    ]
    return [("", gettext_lazy("全部对象"))] + sorted(types, key=lambda t: t[0])


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        required=False,
        choices=[("", gettext_lazy("全部操作")), *AuditAction.choices],
    )
    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _object_type_choices()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request):
    """Audit events of the user's scope (superuser: all), newest first."""
    scope = scope_for(request.user, Action.VIEW_AUDIT)
    if scope.is_empty:
        raise PermissionDenied
    events = AuditEvent.objects.filter(scope.q("org_path")).select_related("actor")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["object_type"]:
            events = events.filter(object_type=form.cleaned_data["object_type"])
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )
