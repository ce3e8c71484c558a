from django.apps import AppConfig


class ScoringConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'scoring'

    def ready(self) -> None:
        from scoring.models import ImportJob
        from units.versioning import watch

        # An import job's own row (its progress, written every second) changes no score; the facts it imports do.
        watch(self, exclude=(ImportJob,))
