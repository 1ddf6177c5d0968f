from django.urls import path

from tongchou.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.tree_view, name="tree"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/add/", views.create_child, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
]
