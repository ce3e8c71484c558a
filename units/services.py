"""Writes on units and their people (called from thin views)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from units.models import Person, Unit


@transaction.atomic
def set_unit_active(unit: Unit, active: bool) -> int:
    """Deactivate or reactivate a unit; returns how many officer accounts this locks out or lets back in.

    A unit is never deleted once it has facts: deactivating keeps its history and scores readable, while its
    officers can no longer log in (accounts.forms.LoginForm) and are logged out at their next request
    (accounts.middleware.ActiveUnitMiddleware).
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.is_active = active
    unit.save(update_fields=["is_active"])
    return unit.accounts.filter(is_active=True).count()


def delete_person(person: Person) -> bool:
    """Delete a person unless an award names them (the awards keep them, PROTECT); False when refused."""
    try:
        person.delete()
    except ProtectedError:
        return False
    return True
