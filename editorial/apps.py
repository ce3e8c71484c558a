from django.apps import AppConfig


class EditorialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "editorial"
    verbose_name = "采编"

    def ready(self) -> None:
        from editorial.services import carriers_from_adoptions
        from scoring.signals import ledger_imported

        # A carrier an imported adoption names joins the list at once (INTERFACES.md keeps 刊物 free text).
        ledger_imported.connect(lambda **kwargs: carriers_from_adoptions(), weak=False, dispatch_uid="editorial-carriers")
