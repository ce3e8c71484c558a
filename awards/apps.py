from django.apps import AppConfig


class AwardsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'awards'

    def ready(self) -> None:
        from awards.models import AwardPick
        from units.versioning import watch

        # Special contributions change who is eligible (awards.eligibility.eligible). Picks are read afresh on
        # every page (one query), so picking one person after another never recomputes the lists.
        watch(self, exclude=(AwardPick,))
