from django.urls import path

from tongchou.pairing import views

app_name = "pairing"

urlpatterns = [
    path("", views.pair_list, name="list"),
    path("new/", views.pair_create, name="create"),
    path("<int:pk>/", views.pair_detail, name="detail"),
    path("<int:pk>/edit/", views.pair_edit, name="edit"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
]
