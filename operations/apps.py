from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the site: backups, health checks, request and security logs."""

    name = "operations"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from operations import security  # noqa: F401  (connects the sign-in signals to the security log)
