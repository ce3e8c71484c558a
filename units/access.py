"""Which units a user may read: every view that loads a unit goes through here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from units.models import Unit


def visible_units(user) -> QuerySet[Unit]:
    """Units whose data the user may read: all for office roles and viewers, their own for an officer."""
    if user.can_read_all:
        return Unit.objects.all()
    return Unit.objects.filter(pk=user.unit_id)


def get_unit_for_user(user, pk: int) -> Unit:
    """A unit the user may read, or 404 (another unit's page does not exist for an officer)."""
    if not user.can_read_all and pk == user.unit_id:
        return user.unit  # read with the user at each request (accounts.middleware checks it is active)
    try:
        return visible_units(user).get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404("没有找到该单位。") from None
