from django.urls import path

from tongchou.portal.api import OwnArrivedView, OwnGoingOutView, OwnSummaryView, OwnTransferView

urlpatterns = [
    path("me/member/", OwnSummaryView.as_view(), name="api-portal-member"),
    path("me/transfer/", OwnTransferView.as_view(), name="api-portal-transfer"),
    path("me/going-out/", OwnGoingOutView.as_view(), name="api-portal-going-out"),
    path("me/arrived/", OwnArrivedView.as_view(), name="api-portal-arrived"),
]
