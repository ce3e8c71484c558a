from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.placeholder, name="list"),
    path("requests/", views.placeholder, name="request_list"),
    path("failures/", views.placeholder, name="failure_list"),
]
