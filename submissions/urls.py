from django.urls import path

from submissions import duplicate_views, views

app_name = "submissions"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("<id:pk>/", views.item_detail, name="detail"),
    path("<id:pk>/edit/", views.item_edit, name="edit"),
    path("<id:pk>/invalidate/", views.item_invalidate, name="invalidate"),
    path("<id:pk>/restore/", views.item_restore, name="restore"),
    path("<id:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("joint/", views.joint_list, name="joint_list"),
    path("duplicates/", duplicate_views.duplicates, name="duplicates"),
    path("duplicates/merge/", duplicate_views.duplicate_merge, name="duplicate_merge"),
    path("<id:pk>/joint/<id:unit_pk>/confirm/", views.joint_confirm, name="joint_confirm"),
    path("<id:pk>/joint/<id:unit_pk>/decline/", views.joint_decline, name="joint_decline"),
    path("<id:pk>/adoptions/new/", views.adoption_create, name="adoption_create"),
    path("<id:pk>/adoptions/<id:fact_pk>/edit/", views.adoption_edit, name="adoption_edit"),
    path("<id:pk>/adoptions/<id:fact_pk>/delete/", views.adoption_delete, name="adoption_delete"),
    path("<id:pk>/instructions/new/", views.instruction_create, name="instruction_create"),
    path("<id:pk>/instructions/<id:fact_pk>/edit/", views.instruction_edit, name="instruction_edit"),
    path("<id:pk>/instructions/<id:fact_pk>/delete/", views.instruction_delete, name="instruction_delete"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<id:pk>/", views.request_detail, name="request_detail"),
    path("requests/<id:pk>/edit/", views.request_edit, name="request_edit"),
    path("failures/", views.failure_list, name="failure_list"),
    path("failures/new/", views.failure_create, name="failure_create"),
    path("failures/<id:pk>/edit/", views.failure_edit, name="failure_edit"),
    path("failures/<id:pk>/delete/", views.failure_delete, name="failure_delete"),
]
