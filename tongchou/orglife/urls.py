from django.urls import path

from tongchou.orglife import views

app_name = "orglife"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("expectations/", views.expectations, name="expectations"),
    path("report/", views.left_behind, name="report"),
    path("report/export/", views.left_behind_export, name="report_export"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/delete/", views.session_delete, name="delete"),
    path("<int:pk>/attendance/", views.session_attendance, name="attendance"),
    path("<int:pk>/attachment/", views.session_attachment, name="attachment"),
    path("members/<int:pk>/", views.member_attendance, name="member_attendance"),
]
