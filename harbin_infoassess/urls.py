from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("units/", include("units.urls")),
    path("items/", include("submissions.urls")),
    path("scoring/", include("scoring.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("awards/", include("awards.urls")),
]
