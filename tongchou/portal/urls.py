from django.urls import path

from tongchou.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("transfer/", views.transfer, name="transfer"),
    path("going-out/", views.going_out, name="going_out"),
    path("arrived/", views.arrived, name="arrived"),
]
