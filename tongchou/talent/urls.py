from django.urls import path

from tongchou.talent import views

app_name = "talent"

urlpatterns = [
    path("", views.talent_list, name="list"),
    path("new/member/", views.member_talent_create, name="member_create"),
    path("new/expert/", views.expert_create, name="expert_create"),
    path("<int:pk>/", views.talent_detail, name="detail"),
    path("<int:pk>/edit/", views.talent_edit, name="edit"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("exchanges/", views.assignment_list, name="assignments"),
    path("exchanges/new/", views.assignment_create, name="assignment_create"),
    path("exchanges/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("exchanges/<int:pk>/step/", views.assignment_step, name="assignment_step"),
    path("ledger/", views.ledger, name="ledger"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
]
