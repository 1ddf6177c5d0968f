from django.urls import path

import tongchou.core.converters  # noqa: F401  (registers <division:…>)
from tongchou.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("<division:code>/", views.detail, name="detail"),
]
