"""Writes on units and their people (called from thin views), each recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from audit import services as audit
from audit.locking import update_versioned
from units.models import Person, Unit

# The fields a unit's and a person's audit records show.
UNIT_FIELDS = ("name", "short_name", "sequence", "is_central_provincial", "is_ranked", "display_order", "assessed_from",
               "is_active")
PERSON_FIELDS = ("role", "name", "post", "phone", "is_active")


@transaction.atomic
def create_unit(values: dict[str, Any], *, user) -> Unit:
    unit = Unit.objects.create(**values)
    audit.record_created(unit, UNIT_FIELDS, user=user)
    return unit


def update_unit(unit: Unit, values: dict[str, Any], *, user, version: int) -> Unit:
    """Save the unit unless someone saved it since `version` was read (then StaleEdit)."""
    return update_versioned(Unit.objects.all(), unit.pk, version, values, UNIT_FIELDS, user=user)


@transaction.atomic
def set_unit_active(unit: Unit, active: bool, *, user) -> int:
    """Deactivate or reactivate a unit; returns how many officer accounts this locks out or lets back in.

    A unit is never deleted once it has facts: deactivating keeps its history and scores readable, while its
    officers can no longer log in (accounts.forms.LoginForm) and are logged out at their next request
    (accounts.middleware.ActiveUnitMiddleware).
    """
    # A button, not a form: whatever version the row has now (locked first, so no save slips in between).
    current = Unit.objects.select_for_update().get(pk=unit.pk)
    update_versioned(Unit.objects.all(), unit.pk, current.version, {"is_active": active}, UNIT_FIELDS, user=user)
    return current.accounts.filter(is_active=True).count()


@transaction.atomic
def create_person(values: dict[str, Any], *, user) -> Person:
    person = Person.objects.create(**values)
    audit.record_created(person, PERSON_FIELDS, user=user)
    return person


def update_person(person: Person, values: dict[str, Any], *, user, version: int) -> Person:
    """Save the person unless someone saved them since `version` was read (then StaleEdit)."""
    return update_versioned(Person.objects.select_related("unit"), person.pk, version, values, PERSON_FIELDS, user=user)


def delete_person(person: Person, *, user) -> bool:
    """Delete a person unless an award names them (the awards keep them, PROTECT); False when refused."""
    try:
        with transaction.atomic():
            audit.record_deleted(person, PERSON_FIELDS, user=user)
            person.delete()
    except ProtectedError:
        return False
    return True
