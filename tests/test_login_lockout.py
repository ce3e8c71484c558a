"""Login failures (django-axes): five for one username from one address within 30 minutes lock that pair for
30 minutes; other users and other addresses go on; administrators see the locks and lift them."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import authenticate
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, EventKind
from audit.services import client_address
from tests.factories import PASSWORD, PERSONAS, make_user

pytestmark = pytest.mark.django_db
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def attempt(username: str, password: str, address: str = HOME, client: Client | None = None):
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return "_auth_user_id" in response.client.session


def fail(username: str, times: int, address: str = HOME):
    for _ in range(times):
        response = attempt(username, "wrong-password", address)
    return response


def age_failures(minutes: int) -> None:
    """Move every recorded failure `minutes` into the past (as if that much time went by)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def test_four_failures_do_not_lock():
    user = make_user()
    assert fail(user.username, 4).status_code == 200
    assert logged_in(attempt(user.username, PASSWORD))


def test_the_fifth_failure_locks_the_pair_and_says_so_in_chinese():
    user = make_user()
    response = fail(user.username, 5)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已被暂时锁定" in page and "30 分钟" in page and "之后再试" in page
    # The right password no longer works from this address...
    refused = attempt(user.username, PASSWORD)
    assert refused.status_code == 429 and not logged_in(refused)


def test_the_lock_is_per_username_and_address():
    user, colleague = make_user(), make_user()
    fail(user.username, 5)
    assert logged_in(attempt(user.username, PASSWORD, ELSEWHERE))  # the same user elsewhere
    assert logged_in(attempt(colleague.username, PASSWORD, HOME))  # another user from the same address


def test_the_lockout_page_says_when_to_try_again():
    user = make_user()
    response = fail(user.username, 5)
    last = AccessAttempt.objects.get(username=user.username).attempt_time
    until = response.context["until"]
    assert dt.timedelta(minutes=30) <= until - last < dt.timedelta(minutes=31) and until.second == 0
    assert timezone.localtime(until).strftime("%H:%M") in response.content.decode()


def test_the_lock_lifts_after_thirty_minutes():
    user = make_user()
    fail(user.username, 5)
    age_failures(29)
    assert not logged_in(attempt(user.username, PASSWORD))
    age_failures(2)
    assert logged_in(attempt(user.username, PASSWORD))


def test_attempts_while_locked_do_not_extend_the_lock():
    user = make_user()
    fail(user.username, 5)
    age_failures(20)
    fail(user.username, 3)  # refused without being counted
    age_failures(11)
    assert logged_in(attempt(user.username, PASSWORD))


def test_failures_further_apart_than_thirty_minutes_do_not_add_up():
    user = make_user()
    fail(user.username, 4)
    age_failures(31)
    assert fail(user.username, 1).status_code == 200
    assert logged_in(attempt(user.username, PASSWORD))


def test_both_numbers_are_settings(settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=10)
    user = make_user()
    assert fail(user.username, 2).status_code == 429
    age_failures(11)
    assert logged_in(attempt(user.username, PASSWORD))


def test_a_lockout_is_signalled_with_username_and_address():
    seen = []

    def receiver(sender, request, username, ip_address, **kwargs):
        seen.append((username, ip_address))

    user_locked_out.connect(receiver)
    try:
        fail(make_user(username="lisi").username, 5)
    finally:
        user_locked_out.disconnect(receiver)
    assert seen == [("lisi", HOME)]


def test_authenticate_without_a_request_is_refused():
    # Every login path must hand axes the request (the site's login form does); a bare authenticate() cannot
    # bypass the lock.
    from axes.exceptions import AxesBackendRequestParameterRequired

    user = make_user()
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("forwarded, expected", [
    ("203.0.113.9", "203.0.113.9"),
    ("198.51.100.1, 203.0.113.9", "203.0.113.9"),  # only the proxy's own entry counts, the rest is forgeable
    ("not-an-address", "127.0.0.1"),
])
def test_the_client_address_behind_the_proxy(settings, forwarded, expected):
    settings.BEHIND_TLS_PROXY = True
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == expected
    settings.BEHIND_TLS_PROXY = False
    assert client_address(request) == "127.0.0.1"  # without a proxy the header is the client's own word


# --- the administrators' page ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_see_and_lift_locks(client_for, persona):
    locked = make_user(username="wangwu")
    fail(locked.username, 5)
    client = client_for(persona)
    page = client.get(reverse("accounts:locks"))
    lift = client.post(reverse("accounts:lock_release"), {"username": "wangwu", "ip_address": HOME, "confirmed": "1"})
    if persona == "admin":
        assert page.status_code == 200 and "wangwu" in page.content.decode() and HOME in page.content.decode()
        assert lift.status_code == 302
        assert logged_in(attempt("wangwu", PASSWORD))
    else:
        expected = 302 if persona == "anonymous" else 403
        assert page.status_code == lift.status_code == expected
        assert not logged_in(attempt("wangwu", PASSWORD))


def test_lifting_one_lock_leaves_the_others(personas):
    make_user(username="zhao"), make_user(username="qian")
    fail("zhao", 5)
    fail("qian", 5)
    fail("qian", 3, ELSEWHERE)  # not locked: below the limit from there
    client = Client()
    client.force_login(personas["admin"])
    page = client.get(reverse("accounts:locks")).content.decode()
    assert page.count("解除锁定</button>") == 2
    # The first POST asks on the confirmation page (core.confirm) and lifts nothing.
    asked = client.post(reverse("accounts:lock_release"), {"username": "zhao", "ip_address": HOME}).content.decode()
    assert "请确认：解除“zhao”的登录锁定" in asked and f"从 {HOME} 的登录失败记录将被清除" in asked
    assert 'name="confirmed" value="1"' in asked and not logged_in(attempt("zhao", PASSWORD))
    response = client.post(reverse("accounts:lock_release"), {"username": "zhao", "ip_address": HOME, "confirmed": "1"},
                           follow=True)
    assert "已解除“zhao”从 10.1.1.1 登录的锁定" in response.content.decode()
    assert logged_in(attempt("zhao", PASSWORD))
    assert not logged_in(attempt("qian", PASSWORD))


def test_lifting_needs_a_post_and_valid_values(personas):
    client = Client()
    client.force_login(personas["admin"])
    assert client.get(reverse("accounts:lock_release")).status_code == 405
    response = client.post(reverse("accounts:lock_release"), {"username": "x", "ip_address": "' OR 1=1"}, follow=True)
    assert "要解除的锁定无效" in response.content.decode()
    response = client.post(reverse("accounts:lock_release"), {"username": "nobody", "ip_address": HOME, "confirmed": "1"},
                           follow=True)
    assert "该锁定已过期或已被解除" in response.content.decode()


def test_expired_locks_are_not_listed(personas):
    make_user(username="sun")
    fail("sun", 5)
    age_failures(31)
    client = Client()
    client.force_login(personas["admin"])
    assert "当前没有被锁定的登录" in client.get(reverse("accounts:locks")).content.decode()


def test_lock_list_query_count_is_fixed(personas, django_assert_num_queries):
    for i in range(40):
        fail(make_user(username=f"u{i}").username, 5, f"10.0.{i}.1")
    client = Client()
    client.force_login(personas["admin"])
    # Session, user, the locks in one aggregate.
    with django_assert_num_queries(3):
        page = client.get(reverse("accounts:locks")).content.decode()
    assert page.count("解除锁定</button>") == 40


def test_the_admin_site_login_shares_the_lock():
    superuser = make_user(username="root", is_staff=True, is_superuser=True)
    fail("root", 5)
    response = Client().post("/django-admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR=HOME)
    assert response.status_code == 429 and "_auth_user_id" not in response.client.session
    # ...and failures there count towards it.
    other = make_user(username="admin2", is_staff=True, is_superuser=True)
    for _ in range(5):
        Client().post("/django-admin/login/", {"username": "admin2", "password": "wrong"}, REMOTE_ADDR=HOME)
    assert not logged_in(attempt(other.username, PASSWORD))
    assert superuser.check_password(PASSWORD)


def test_lockouts_are_in_the_audit_trail():
    make_user(username="zhouqi")
    fail("zhouqi", 5)
    attempt("zhouqi", PASSWORD)  # refused while locked: recorded too
    events = AuditEvent.objects.filter(kind=EventKind.LOCKED_OUT)
    assert [(e.username, e.address) for e in events] == [("zhouqi", HOME)] * 2


@pytest.mark.parametrize("username", ["a" * 10_000, "zhang\x00san", "' OR 1=1 --", "²"])
def test_hostile_usernames_are_refused_without_an_error(username):
    for _ in range(6):
        response = attempt(username, "wrong-password")
        assert response.status_code in (200, 429) and not logged_in(response)


def test_a_username_longer_than_any_account_is_an_ordinary_wrong_login():
    response = attempt("a" * 151, "wrong-password")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # no account can have it, so there is no pair to lock


def test_lifting_a_lock_is_on_the_audit_trail_with_who_and_where(personas):
    make_user(username="sun")
    fail("sun", 5)
    client = Client(REMOTE_ADDR="10.9.9.9")
    client.force_login(personas["admin"])
    client.post(reverse("accounts:lock_release"), {"username": "sun", "ip_address": HOME, "confirmed": "1"})
    record = AuditEvent.objects.get(kind=EventKind.UPDATE, summary__startswith="解除登录锁定")
    assert (record.user, record.address) == (personas["admin"], "10.9.9.9")
    assert record.changes == {"登录锁定": [f"sun（{HOME}）已锁定", "已解除"]}
