import pytest
from django.core.cache import cache

from tests.factories import make_personas, make_unit
from units import versioning


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The test client speaks plain HTTP; production's HTTPS redirect is tested in test_settings.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing every persona's password with the production hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unit_a():
    return make_unit()


@pytest.fixture
def unit_b():
    return make_unit()


@pytest.fixture
def personas(unit_a, unit_b):
    """Administrator, staff, the officers of unit A and unit B, a viewer, and an anonymous visitor (None)."""
    return make_personas(unit_a, unit_b)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Assessments are cached per data version; a rolled-back test leaves the version as it found it.
    cache.clear()
    versioning.forget_local()
