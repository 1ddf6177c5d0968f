from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_patterns = [
    path("", include("tongchou.core.api_urls")),
    path("", include("tongchou.regions.api_urls")),
    path("", include("tongchou.organizations.api_urls")),
    path("", include("tongchou.members.api_urls")),
    path("", include("tongchou.mobility.api_urls")),
    path("", include("tongchou.transfers.api_urls")),
    path("", include("tongchou.orglife.api_urls")),
    path("", include("tongchou.education.api_urls")),
    path("", include("tongchou.resources.api_urls")),
    path("", include("tongchou.linkage.api_urls")),
    path("", include("tongchou.talent.api_urls")),
    path("", include("tongchou.accounts.api_urls")),
    path("", include("tongchou.portal.api_urls")),
    path("", include("tongchou.service.api_urls")),
    path("", include("tongchou.pairing.api_urls")),
    path("", include("tongchou.jobs.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("", include("tongchou.core.urls")),
    path("", include("tongchou.portal.site_urls")),
    path("", include("tongchou.accounts.site_urls")),
    path("regions/", include("tongchou.regions.urls")),
    path("orgs/", include("tongchou.organizations.urls")),
    path("members/", include("tongchou.members.urls")),
    path("mobility/", include("tongchou.mobility.urls")),
    path("transfers/", include("tongchou.transfers.urls")),
    path("life/", include("tongchou.orglife.urls")),
    path("education/", include("tongchou.education.urls")),
    path("resources/", include("tongchou.resources.urls")),
    path("linkage/", include("tongchou.linkage.urls")),
    path("talent/", include("tongchou.talent.urls")),
    path("accounts/", include("tongchou.accounts.urls")),
    path("me/talent/", include("tongchou.talent.me_urls")),
    path("me/", include("tongchou.portal.urls")),
    path("service/", include("tongchou.service.urls")),
    path("pairing/", include("tongchou.pairing.urls")),
    path("open311/v2/", include("tongchou.service.open311_urls")),
    path("jobs/", include("tongchou.jobs.urls")),
]

# The app's own error pages (JSON under /api/): tongchou/core/error_pages.py.
handler400 = "tongchou.core.error_pages.bad_request"
handler403 = "tongchou.core.error_pages.permission_denied"
handler404 = "tongchou.core.error_pages.page_not_found"
handler500 = "tongchou.core.error_pages.server_error"
