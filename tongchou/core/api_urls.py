from django.urls import path

from tongchou.core.api.auth import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
]
