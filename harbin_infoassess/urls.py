from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("units/", include("units.urls")),
    path("items/", include("submissions.urls")),
    path("scoring/", include("scoring.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("awards/", include("awards.urls")),
    path("audit/", include("audit.urls")),
    path("", include("operations.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "operations.views.permission_denied"
