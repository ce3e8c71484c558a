from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'submissions'

    def ready(self) -> None:
        from submissions.models import FormToken, MonthTally, StaleTally
        from submissions.panels import unit_year_section
        from submissions.tallies import connect_signals
        from units.sections import add_section
        from units.versioning import watch

        connect_signals()
        add_section(unit_year_section)
        # The derived tallies and the form tokens do not change a score.
        watch(self, exclude=(MonthTally, StaleTally, FormToken))
