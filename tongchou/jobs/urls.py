from django.urls import path

from tongchou.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.index, name="index"),
    path("openings/", views.opening_list, name="openings"),
    path("openings/new/", views.opening_create, name="opening_create"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/edit/", views.opening_edit, name="opening_edit"),
    path("openings/<int:pk>/suggestions/", views.opening_suggestions, name="opening_suggestions"),
    path("seekers/", views.seeker_list, name="seekers"),
    path("seekers/new/", views.seeker_create, name="seeker_create"),
    path("seekers/<int:pk>/", views.seeker_detail, name="seeker_detail"),
    path("seekers/<int:pk>/edit/", views.seeker_edit, name="seeker_edit"),
    path("seekers/<int:pk>/withdraw-consent/", views.seeker_withdraw, name="seeker_withdraw"),
    path("seekers/<int:pk>/suggestions/", views.seeker_suggestions, name="seeker_suggestions"),
    path("seekers/<int:pk>/apply/", views.seeker_apply, name="seeker_apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("figures/", views.figures, name="figures"),
]
