import time

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import trans_real


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers to every response.

    Scripts and styles come only from our own origin (no inline code), so templates keep their
    JavaScript in static files. Swagger UI gets the same policy: the sidecar serves it locally.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


class LanguageMiddleware:
    """Chooses the interface language: zh-Hans unless the person picked another with the switch.

    Replaces ``django.middleware.locale.LocaleMiddleware``. Pages follow only the
    ``django_language`` cookie set by the switch (``/i18n/setlang/``), never the browser's
    Accept-Language: many intranet machines run English-language browsers for Chinese users.
    API clients (under ``/api/``) may also ask with ``?lang=en``, and clients that authenticate
    with an ``Authorization`` header (scripts, not browsers) with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.api_prefix = "/api/"

    def __call__(self, request):
        is_api = request.path_info.startswith(self.api_prefix)
        language = self.language_for(request, is_api=is_api)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if is_api else ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def supported(code: str | None) -> str | None:
        if not code:
            return None
        try:
            return translation.get_supported_language_variant(code.strip().lower())
        except LookupError:
            return None

    def language_for(self, request, *, is_api: bool) -> str:
        if is_api:
            asked = self.supported(request.GET.get("lang"))
            if asked:
                return asked
        chosen = self.supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if chosen:
            return chosen
        if is_api and "HTTP_AUTHORIZATION" in request.META:
            accepted = self.from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
            if accepted:
                return accepted
        return settings.LANGUAGE_CODE

    def from_accept_language(self, header: str) -> str | None:
        for code, _quality in trans_real.parse_accept_lang_header(header):
            if code == "*":
                break
            found = self.supported(code)
            if found:
                return found
        return None


class NoStoreMiddleware:
    """Every dynamic response carries ``Cache-Control: no-store`` (and ``private``).

    Pages, API answers and exports of a signed-in person hold personal data; no browser cache or
    proxy may keep them. Static files never reach this middleware (WhiteNoise answers them
    before), so they stay cacheable. Anonymous responses (the login page, errors) get the same:
    they carry a CSRF token, and the rule stays one line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """A NUL in the URL path is a 400 before any view runs.

    No identifier or code of ours contains one, and PostgreSQL refuses it in a string literal
    (a 500 from whichever lookup met it first, e.g. ``/regions/%00/``). This covers every path
    converter at once; query-string and body values go through form and serializer fields,
    which refuse NUL with an error naming the field (Django's and DRF's CharField).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise BadRequest("NUL in the request path")
        return self.get_response(request)


class ServerTimingMiddleware:
    """With ``SERVER_TIMING`` on, says in a ``Server-Timing`` header how long the application
    took for the request (``app``: wall time from the first middleware to the last) and how much
    CPU its thread used (``cpu``), so a benchmark reads the server's own time apart from the
    network and the queue in front of it. Off by default: timings are nobody else's business."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wall, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        app_ms = (time.perf_counter() - wall) * 1000
        cpu_ms = (time.thread_time() - cpu) * 1000
        response["Server-Timing"] = f"app;dur={app_ms:.2f}, cpu;dur={cpu_ms:.2f}"
        return response
