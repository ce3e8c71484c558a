from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import login, make_personas, make_unit, run_queued_tasks
from units import versioning


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(settings, _media_root):
    # Uploaded files (kept ledgers) go to a scratch folder, never the project's media/.
    settings.MEDIA_ROOT = _media_root
    # The test client speaks plain HTTP; production's HTTPS redirect is tested in test_settings.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing every persona's password with the production hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Renewing the session (the idle timeout, at most once a minute) adds statements to a request whenever a test
    # moves the clock; pinned query counts measure the pages themselves. tests/test_sessions.py runs with the
    # production value.
    settings.SESSION_RENEW_SECONDS = 10**9
    # Log personas in with client.force_login: it skips authenticate(), so django-axes neither slows nor counts it.
    # client.login() calls authenticate() without a request, which axes refuses (AxesBackendRequestParameterRequired).


@pytest.fixture
def unit_a():
    return make_unit()


@pytest.fixture
def unit_b():
    return make_unit()


@pytest.fixture
def personas(unit_a, unit_b):
    """Administrator, staff, the officers of unit A and unit B, a viewer, and an anonymous visitor (None).

    A test module that needs particular units A and B overrides the `unit_a` and `unit_b` fixtures.
    """
    return make_personas(unit_a, unit_b)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Assessments are cached per data version; a rolled-back test leaves the version as it found it.
    cache.clear()
    versioning.forget_local()


@pytest.fixture
def client_for(personas) -> Callable[[str], Client]:
    """`client_for("officer_a")`: a new test client logged in as that persona ("anonymous": nobody)."""
    return lambda persona: login(Client(), personas[persona])


@pytest.fixture
def run_tasks():
    """Run the queued background tasks here, as `manage.py db_worker --batch` would (tests.factories)."""
    return run_queued_tasks
