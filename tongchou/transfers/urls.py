from django.urls import path

from tongchou.transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("new/", views.transfer_create, name="create"),
    path("organizations/", views.organization_options, name="organizations"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/approve-out/", views.transfer_step, {"step": "approve_out"}, name="approve_out"),
    path(
        "<int:pk>/approve-upper/",
        views.transfer_step,
        {"step": "approve_upper"},
        name="approve_upper",
    ),
    path("<int:pk>/accept/", views.transfer_step, {"step": "accept"}, name="accept"),
    path("<int:pk>/return/", views.transfer_step, {"step": "return"}, name="return"),
    path("<int:pk>/cancel/", views.transfer_step, {"step": "cancel"}, name="cancel"),
    path("<int:pk>/letter/", views.letter_page, name="letter"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
]
