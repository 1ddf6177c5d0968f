"""The app's own error pages (400, 403, 404, 500 and a CSRF failure), and the JSON error shape
for the same errors under ``/api/``.

Every page renders from its template and a plain context, with no request context processors:
nothing here reads the session, the user or the database, so the 500 page still renders when
the database is down. The language is the one ``LanguageMiddleware`` activated (a cookie, no
query). Each page offers a way back: the home page, and the previous page when the browser said
which one it was (a same-site Referer).
"""

from urllib.parse import urlsplit

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from tongchou.core.api import error_body

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _back_url(request) -> str | None:
    """The previous page, only when it is on this site and is not this very page."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if parts.path == request.path else path


def _page(request, status: int, template: str, **context) -> HttpResponse:
    context.setdefault("back_url", _back_url(request))
    context.setdefault("home_url", reverse("home"))
    context.setdefault("status", status)
    body = loader.get_template(template).render(context)  # no request: no context processors
    return HttpResponse(body, status=status)


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _json(400, "bad_request", _("请求无效。"))
    return _page(request, 400, "400.html")


def permission_denied(request, exception=None):
    if _is_api(request):
        return _json(403, "permission_denied", _("您没有执行该操作的权限。"))
    return _page(request, 403, "403.html")


def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(404, "not_found", _("未找到。"))
    return _page(request, 404, "404.html")


def server_error(request):
    if _is_api(request):
        return _json(500, "server_error", _("服务器出错，请稍后再试。"))
    return _page(request, 500, "500.html")


def csrf_failure(request, reason: str = ""):
    """A form sent with a missing or stale CSRF token: most often a page left open past the
    session's end, or a login in another tab. What the person typed was kept in this tab by
    ``static/js/app.js`` (never passwords or ID numbers); the page says how to get it back."""
    if _is_api(request):
        return _json(403, "csrf_failed", _("CSRF 校验失败，请刷新页面后重试。"))
    form_path = request.path
    return _page(
        request,
        403,
        "403_csrf.html",
        form_path=form_path,
        login_url=f"{reverse('login')}?{urlencode({'next': form_path})}",
    )
