from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.contrib import admin

        from audit import signals  # noqa: F401  (connects the login, logout and failed-login receivers)

        # The admin's "delete selected" logs its deletions in one bulk insert, which sends no signal: they would
        # miss the audit trail (and it deletes around the services and their version checks). Objects are
        # deleted one at a time on their own admin page, which is recorded (audit.signals).
        admin.site.disable_action("delete_selected")
