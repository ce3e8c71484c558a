from django.urls import path

from editorial import views

app_name = "editorial"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("items/<id:pk>/", views.review, name="review"),
    path("items/<id:pk>/decide/", views.decide, name="decide"),
    path("carriers/", views.carrier_list, name="carrier_list"),
    path("carriers/new/", views.carrier_edit, name="carrier_create"),
    path("carriers/<id:pk>/edit/", views.carrier_edit, name="carrier_edit"),
    path("carriers/from-adoptions/", views.carrier_sync, name="carrier_sync"),
    path("items/<id:pk>/adopt/", views.item_adoption, name="item_adoption"),
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<id:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<id:pk>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<id:pk>/publish/", views.issue_publish, name="issue_publish"),
    path("issues/<id:pk>/withdraw/", views.issue_withdraw, name="issue_withdraw"),
    path("issues/<id:pk>/discard/", views.issue_discard, name="issue_discard"),
    path("issues/<id:pk>/download/", views.issue_download, name="issue_download"),
    path("issues/<id:pk>/forward/", views.entry_forward, name="entry_forward"),
    path("issues/<id:pk>/entries/<id:entry_pk>/", views.entry_edit, name="entry_edit"),
    path("issues/<id:pk>/entries/<id:entry_pk>/remove/", views.entry_remove, name="entry_remove"),
    path("issues/<id:pk>/entries/<id:entry_pk>/<str:direction>/", views.entry_move, name="entry_move"),
    path("forwarded/", views.forwarded, name="forwarded"),
    path("forwarded/<id:entry_pk>/adopt/", views.upward_adoption, name="upward_adoption"),
]
