from django.urls import path, register_converter

from bulletins import views


class MonthConverter:
    """`2024-03` in URLs, kept as text: the view refuses impossible and future months with a message."""

    regex = r"[0-9]{4}-[0-9]{1,2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "month")

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("<month:month>/", views.bulletin_detail, name="detail"),
    path("<month:month>/v<id:version>/", views.bulletin_version, name="version"),
    path("<month:month>/v<id:version>/catalogue/<slug:sequence>/", views.bulletin_catalogue, name="catalogue"),
    path("version/<id:pk>/", views.bulletin_version, name="version"),
    path("<month:month>/preview/", views.bulletin_preview, name="preview"),
    path("<month:month>/publish/", views.bulletin_publish, name="publish"),
    path("<month:month>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<month:month>/export.csv", views.export_csv, name="export_csv"),
]
