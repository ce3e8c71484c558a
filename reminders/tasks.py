from __future__ import annotations

from django_tasks import task

from reminders.services import send_reminders


@task()
def send_reminders_task() -> int:
    """`send_reminders` in the task worker (`manage.py send_reminders --queue`); returns the notices written."""
    return send_reminders().notices
