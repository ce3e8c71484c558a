"""Signals other apps may listen to (the audit trail records them)."""

from django.dispatch import Signal

# Sent with sender=User, user=<whose password>, request=<the request>, by_admin=<set by an administrator?>
# after a password was changed through the site.
password_changed = Signal()
