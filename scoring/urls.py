from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("scorecard/<id:pk>/<year:year>/", views.scorecard, name="scorecard"),
    path("basic/", views.basic_list, name="basic_list"),
    path("basic/<id:pk>/<year:year>/", views.basic_unit, name="basic_unit"),
    path("import/", views.import_ledger, name="import"),
    path("import/history/", views.import_history, name="import_history"),
    path("import/<id:pk>/", views.import_job, name="import_job"),
    path("import/<id:pk>/status/", views.import_job_status, name="import_job_status"),
    path("import/<id:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("import/<id:pk>/retry/", views.import_job_retry, name="import_job_retry"),
    path("import/<id:pk>/problems.xlsx", views.import_job_problems, name="import_job_problems"),
    path("import/<id:pk>/file/", views.import_job_file, name="import_job_file"),
    path("rulesets/", views.ruleset_list, name="ruleset_list"),
    path("rulesets/<id:pk>/", views.ruleset_detail, name="ruleset_detail"),
    path("rulesets/<id:pk>/copy/", views.ruleset_copy, name="ruleset_copy"),
    path("rulesets/<id:pk>/edit/", views.ruleset_edit, name="ruleset_edit"),
    path("years/", views.year_list, name="year_list"),
]
