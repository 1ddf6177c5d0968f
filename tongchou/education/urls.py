from django.urls import path

from tongchou.education import views

app_name = "education"

urlpatterns = [
    path("", views.course_list, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("records/", views.record_list, name="records"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("trainings/", views.training_list, name="trainings"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path(
        "trainings/<int:pk>/participants/",
        views.training_participants,
        name="training_participants",
    ),
]
