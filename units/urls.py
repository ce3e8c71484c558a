from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("choices/", views.unit_choices, name="choices"),
    path("people/choices/", views.officer_choices, name="officer_choices"),
    path("<id:pk>/", views.unit_detail, name="detail"),
    path("<id:pk>/edit/", views.unit_edit, name="edit"),
    path("<id:pk>/deactivate/", views.unit_set_active, {"active": False}, name="deactivate"),
    path("<id:pk>/reactivate/", views.unit_set_active, {"active": True}, name="reactivate"),
    path("<id:unit_pk>/people/new/", views.person_create, name="person_create"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/delete/", views.person_delete, name="person_delete"),
]
