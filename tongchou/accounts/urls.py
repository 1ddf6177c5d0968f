from django.urls import path

from tongchou.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("new-staff/", views.staff_create, name="staff_create"),
    path("bulk/", views.bulk_create, name="bulk"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("<int:pk>/roles/<int:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:pk>/reset-password/", views.password_reset, name="password_reset"),
    path("<int:pk>/member/", views.member_link, name="member_link"),
    path("<int:pk>/member/unlink/", views.member_unlink, name="member_unlink"),
]
