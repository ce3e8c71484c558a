from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.placeholder, name="ranking"),
    path("basic/", views.placeholder, name="basic_list"),
    path("import/", views.placeholder, name="import"),
    path("rulesets/", views.placeholder, name="ruleset_list"),
]
