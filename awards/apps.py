from django.apps import AppConfig


class AwardsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'awards'

    def ready(self) -> None:
        from units.versioning import watch

        # Award picks and contributions change the award lists computed from the facts (awards.views).
        watch(self)
