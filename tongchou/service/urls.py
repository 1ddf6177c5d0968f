from django.urls import path

from tongchou.service import views

app_name = "service"

urlpatterns = [
    path("", views.need_list, name="needs"),
    path("new/", views.need_create, name="need_create"),
    path("<int:pk>/", views.need_detail, name="need_detail"),
    path("<int:pk>/step/", views.need_action, name="need_action"),
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("visits/<int:pk>/photos/<int:photo_pk>.jpg", views.visit_photo, name="visit_photo"),
    path("proxy/", views.proxy_station_list, name="proxy_stations"),
    path("proxy/new/", views.proxy_station_create, name="proxy_station_create"),
    path("proxy/<int:pk>/", views.proxy_station_detail, name="proxy_station_detail"),
    path("proxy/<int:pk>/edit/", views.proxy_station_edit, name="proxy_station_edit"),
    path("proxy/<int:pk>/file/", views.proxy_need_create, name="proxy_need_create"),
    # The resident's pages: no account.
    path("submit/", views.public_submit, name="public_submit"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_detail, name="track_detail"),
    path("public/", views.public_board, name="public_board"),
]
