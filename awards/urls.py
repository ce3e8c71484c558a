from django.urls import path

from awards import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/review/", views.review, name="review"),
    path("<int:year>/finalize/", views.finalize, name="finalize"),
    path("<int:year>/workbook/", views.workbook, name="workbook"),
    path("<int:year>/csv/<slug:slug>/", views.list_csv, name="csv"),
    path("<int:year>/pick/", views.pick, name="pick"),
    path("<int:year>/contributions/", views.contribution, name="contribution"),
    path("<int:year>/contributions/<int:person_id>/delete/", views.contribution_delete, name="contribution_delete"),
]
