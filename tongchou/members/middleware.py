"""No ID number in any URL (see members.id_numbers).

A GET or HEAD whose query carries a citizen ID number is refused before any view runs: a page is
sent back to the same address without the offending parameters (with a note saying why), an API
call (``/api/``) gets a 400 naming the POST endpoint to use. The value is never echoed. The
request line has reached the access log by then; what this stops is any page, link or client
that would keep sending one — they break at once, visibly, instead of leaking quietly."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _

from tongchou.members.id_numbers import contains_id_number


class IdNumberInUrlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.META.get("QUERY_STRING"):
            offending = [
                key
                for key, values in request.GET.lists()
                if contains_id_number(key) or any(contains_id_number(v) for v in values)
            ]
            if offending:
                return self.refuse(request, offending)
        return self.get_response(request)

    @staticmethod
    def refuse(request, offending: list[str]):
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "id_number_in_url",
                    "message": _(
                        "身份证号不能出现在网址中（会被记入访问日志）："
                        "请用 POST /api/members/lookup/ 按身份证号查找。"
                    ),
                    "field": None,
                },
                status=400,
            )
        kept = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in offending
            for value in values
        ]
        if hasattr(request, "_messages"):
            messages.warning(
                request,
                _(
                    "为保护个人信息，身份证号不能出现在网址中；请在查找框中输入，系统会以加密方式查找。"
                ),
            )
        query = urlencode(kept)
        return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
