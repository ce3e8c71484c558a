from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/invalidate/", views.item_invalidate, name="invalidate"),
    path("<int:pk>/restore/", views.item_restore, name="restore"),
    path("joint/", views.joint_list, name="joint_list"),
    path("<int:pk>/joint/<int:unit_pk>/confirm/", views.joint_confirm, name="joint_confirm"),
    path("<int:pk>/joint/<int:unit_pk>/decline/", views.joint_decline, name="joint_decline"),
    path("<int:pk>/adoptions/new/", views.adoption_create, name="adoption_create"),
    path("<int:pk>/adoptions/<int:fact_pk>/edit/", views.adoption_edit, name="adoption_edit"),
    path("<int:pk>/adoptions/<int:fact_pk>/delete/", views.adoption_delete, name="adoption_delete"),
    path("<int:pk>/instructions/new/", views.instruction_create, name="instruction_create"),
    path("<int:pk>/instructions/<int:fact_pk>/edit/", views.instruction_edit, name="instruction_edit"),
    path("<int:pk>/instructions/<int:fact_pk>/delete/", views.instruction_delete, name="instruction_delete"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("failures/", views.failure_list, name="failure_list"),
    path("failures/new/", views.failure_create, name="failure_create"),
    path("failures/<int:pk>/edit/", views.failure_edit, name="failure_edit"),
    path("failures/<int:pk>/delete/", views.failure_delete, name="failure_delete"),
]
