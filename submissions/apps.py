from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'submissions'

    def ready(self) -> None:
        from submissions.models import FormToken, MonthTally, StaleTally
        from submissions.tallies import connect_signals
        from units.versioning import watch

        connect_signals()
        # The derived tallies and the form tokens do not change a score.
        watch(self, exclude=(MonthTally, StaleTally, FormToken))
