from __future__ import annotations

from django_tasks import task

from notifications.mail import mail_pending


@task()
def deliver_mail() -> int:
    """The worker's side of a write that made notices: mail them (when e-mail is configured)."""
    return mail_pending()
