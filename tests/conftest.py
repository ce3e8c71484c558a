import pytest


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The test client speaks plain HTTP; production's HTTPS redirect is tested in test_settings.
    settings.SECURE_SSL_REDIRECT = False
