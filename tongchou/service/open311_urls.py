from django.urls import re_path

from tongchou.service import open311

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<pk>\d+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[0-9a-f]{1,64})" + FMT, open311.token_detail, name="token"),
]
