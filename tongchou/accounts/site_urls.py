"""The audit log at ``/audit/`` (url name "audit", no namespace, as before it moved here)."""

from django.urls import path

from tongchou.accounts import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
]
