"""Sessions end after 30 idle minutes, 8 hours after login whatever the user does, and when the browser closes;
the login page then says why and returns the user to where they were. Time is moved, never waited for."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harbin_infoassess import settings as project_settings
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
PAGE = "/items/?status=valid"
IDLE = "您已超过 30 分钟未操作，为安全起见已自动退出，请重新登录。"
ABSOLUTE = "您本次登录已超过 8 小时，为安全起见已自动退出，请重新登录。"


@pytest.fixture(autouse=True)
def _production_sessions(settings):
    # tests/conftest.py turns the renewal off for pinned query counts; here it is what is tested.
    settings.SESSION_RENEW_SECONDS = project_settings.SESSION_RENEW_SECONDS


class Clock:
    """timezone.now() as seen by Django's sessions and our middleware, moved forward by the test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    @contextmanager
    def frozen(self):
        with mock.patch("django.utils.timezone.now", side_effect=lambda: self.now):
            yield


@pytest.fixture
def clock():
    clock = Clock()
    with clock.frozen():
        yield clock


def login(client: Client, user, next_url: str = ""):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, "next": next_url})


def test_the_settings():
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is False  # renewed by SessionLimitMiddleware instead
    assert project_settings.SESSION_RENEW_SECONDS == 60
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    assert project_settings.SESSION_ABSOLUTE_SECONDS == 8 * 3600


def test_the_cookie_ends_with_the_browser(client):
    response = login(client, make_user())
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_activity_keeps_the_session_alive(client, clock):
    login(client, make_user())
    for _ in range(5):  # 2.5 hours, never 30 minutes idle
        clock.advance(minutes=29)
        assert client.get(PAGE).status_code == 200


def test_activity_renews_the_session_at_most_once_a_minute(client, clock):
    login(client, make_user())
    expiry = Session.objects.get().expire_date
    clock.advance(seconds=59)
    assert client.get(PAGE).status_code == 200
    assert Session.objects.get().expire_date == expiry  # not written again within the minute
    clock.advance(seconds=1)
    assert client.get(PAGE).status_code == 200
    assert Session.objects.get().expire_date == expiry + dt.timedelta(seconds=60)  # renewed from now
    clock.advance(minutes=29, seconds=59)  # idle: just inside the limit counted from the renewal
    assert client.get(PAGE).status_code == 200


def test_thirty_idle_minutes_end_the_session_and_the_login_page_says_so(client, clock):
    login(client, make_user())
    assert client.get(PAGE).status_code == 200
    clock.advance(minutes=31)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/items/%3Fstatus%3Dvalid"
    page = client.get(response["Location"]).content.decode()
    assert IDLE in page
    assert 'name="next" value="/items/?status=valid"' in page


def test_after_logging_in_again_the_user_is_back_where_they_were(client, clock):
    user = make_user()
    login(client, user)
    clock.advance(minutes=31)
    next_url = client.get(PAGE)["Location"].split("next=")[1]
    client.get(reverse("login") + "?next=" + next_url)
    response = login(client, user, "/items/?status=valid")
    assert response["Location"] == PAGE


def test_eight_hours_after_login_the_session_ends_however_active(client, clock):
    login(client, make_user())
    for _ in range(16):  # 8 hours in steps of 30 minutes, active all along
        clock.advance(minutes=29, seconds=59)
        assert client.get(PAGE).status_code == 200
    clock.advance(minutes=1)
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert ABSOLUTE in page and IDLE not in page


def test_a_new_login_starts_a_new_eight_hours(client, clock):
    user = make_user()
    login(client, user)
    clock.advance(hours=7, minutes=50)
    client.post(reverse("logout"))
    login(client, user)
    clock.advance(minutes=20)
    assert client.get(PAGE).status_code == 200


def test_both_limits_are_settings(client, clock, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    settings.SESSION_COOKIE_AGE = 10 * 60
    login(client, make_user())
    for _ in range(6):  # an hour, active every 9 minutes 50 seconds
        clock.advance(minutes=9, seconds=50)
        assert client.get(PAGE).status_code == 200
    clock.advance(minutes=2)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "您本次登录已超过 1 小时" in client.get(response["Location"]).content.decode()
    login(client, make_user(username="idle"))
    clock.advance(minutes=11)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "您已超过 10 分钟未操作" in client.get(response["Location"]).content.decode()


def test_logging_out_is_not_mistaken_for_a_timeout(client):
    login(client, make_user())
    client.post(reverse("logout"))
    page = client.get(reverse("login")).content.decode()
    assert IDLE not in page and ABSOLUTE not in page
