"""The login backend: Django's, with the user's unit read in the same query.

Every officer's request reads the unit (accounts.middleware.ActiveUnitMiddleware logs out the officers of a unit
that was deactivated, and the pages scope by it): one query a request fewer.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
