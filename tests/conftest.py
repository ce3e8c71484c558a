import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The test client speaks plain HTTP; production's HTTPS redirect is tested in test_settings.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing every persona's password with the production hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
