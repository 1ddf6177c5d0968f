from django.urls import path

from tongchou.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_create, name="create"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<int:pk>/book/", views.booking_create, name="book"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:pk>/photos/<int:photo_pk>.jpg", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/remove/", views.photo_remove, name="photo_remove"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("bookings/<int:pk>/decline/", views.booking_decline, name="booking_decline"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("flows/", views.flow_report, name="flows"),
    path("flows/rows/", views.flow_rows, name="flow_rows"),
    path("feeds/resource/<str:token>.ics", views.resource_feed, name="resource_feed"),
    path("feeds/organization/<str:token>.ics", views.organization_feed, name="organization_feed"),
]
