from django.urls import path

from tongchou.mobility import views

app_name = "mobility"

urlpatterns = [
    path("", views.mobile_list, name="list"),
    path("outflow/", views.outflow_register, name="outflow"),
    path("inflow/", views.inflow_register, name="inflow"),
    path("<int:pk>/", views.spell_detail, name="detail"),
    path("<int:pk>/contact/", views.spell_contact, name="contact"),
    path("<int:pk>/return/", views.spell_return, name="return"),
    path("<int:pk>/end/", views.spell_end, name="end"),
    path("stations/", views.station_list, name="stations"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
]
