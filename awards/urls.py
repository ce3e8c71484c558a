from django.urls import path

from awards import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<year:year>/", views.year_detail, name="year"),
    path("<year:year>/review/", views.review, name="review"),
    path("<year:year>/review/<slug:sequence>/", views.review_sequence, name="review_sequence"),
    path("<year:year>/finalize/", views.finalize, name="finalize"),
    path("<year:year>/workbook/", views.workbook, name="workbook"),
    path("<year:year>/csv/<slug:slug>/", views.list_csv, name="csv"),
    path("<year:year>/pick/", views.pick, name="pick"),
    path("<year:year>/candidates/<slug:kind>/", views.candidates, name="candidates"),
    path("<year:year>/contributions/", views.contribution, name="contribution"),
    path("<year:year>/contributions/<id:person_id>/delete/", views.contribution_delete, name="contribution_delete"),
]
