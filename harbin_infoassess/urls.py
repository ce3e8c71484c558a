from django.contrib import admin
from django.urls import include, path

from harbin_infoassess import converters  # noqa: F401  (registers <id:…> and <year:…> before the apps' URLs load)
from harbin_infoassess.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("accounts.urls")),
    path("units/", include("units.urls")),
    path("items/", include("submissions.urls")),
    path("scoring/", include("scoring.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("awards/", include("awards.urls")),
    path("editorial/", include("editorial.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("operations.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "operations.views.permission_denied"
