from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from accounts.lockout import record_lockout
        from accounts.middleware import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="accounts.remember_login_time")
        user_locked_out.connect(record_lockout, dispatch_uid="accounts.record_lockout")
