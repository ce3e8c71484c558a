from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the login, logout and failed-login receivers)
