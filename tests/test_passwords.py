"""Password policy: each rule refuses with a Chinese message; everyone changes their own password with the old one;
a password an administrator set must be changed at the next login; the demo accounts are the exception."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_accounts
from accounts.models import Role, User
from audit.models import AuditEvent, EventKind
from tests.factories import PASSWORD, make_unit, make_user

pytestmark = pytest.mark.django_db
GOOD = "Songhua-River-2024"


@pytest.fixture(autouse=True)
def _chinese():
    # The pages speak Chinese (LANGUAGE_CODE); validate_password called directly uses the active language.
    with translation.override("zh-hans"):
        yield


def refusal(password: str, user: User | None = None) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return " ".join(refused.value.messages)


def test_at_least_ten_characters():
    assert refusal("Aa1!Bb2@c") == "密码太短，至少需要 10 个字符。"  # nine, of all four kinds
    validate_password("Aa1!Bb2@cd")


@pytest.mark.parametrize("password", ["zzzzzzzzzz99", "harbinxinxi2024", "HARBIN-XINXI", "xinxi-harbin"])
def test_three_kinds_of_character(password):
    assert "大写字母、小写字母、数字、符号中的至少 3 种" in refusal(password)


@pytest.mark.parametrize("password", ["Harbinxinxi2024", "harbin-xinxi-2024", "HARBIN-XINXI-2024", "Harbin-Xinxi"])
def test_any_three_kinds_are_enough(password):
    validate_password(password)


def test_common_passwords_are_refused():
    assert "该密码过于常见，容易被猜中。" in refusal("Password123456")


def test_all_digits_are_refused():
    assert "密码不能全是数字。" in refusal("2024031520240315")


def test_a_password_like_the_username_is_refused():
    user = make_user(username="zhangjianguo", first_name="张建国")
    assert "过于相似" in refusal("Zhangjianguo1!", user)


@pytest.mark.parametrize("password", ["harbin123", "zzzzzzzz9", "Aa1!Aa1!"])
def test_the_passwords_the_issue_found_accepted_are_refused(password):
    refusal(password)


# --- changing one's own password ---------------------------------------------------------------------------


@pytest.fixture
def sent():
    """The password changes the audit trail records: (whose password, who changed it)."""
    def changes():
        events = AuditEvent.objects.filter(kind=EventKind.PASSWORD_CHANGED).order_by("id")
        return [(e.object_id, e.username) for e in events]
    return changes


def logged_in_client(user: User) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF, Role.OFFICER, Role.VIEWER, Role.AUDITOR])
def test_every_user_changes_their_own_password_from_the_header(role, sent):
    user = make_user(role)
    client = logged_in_client(user)
    assert f'href="{reverse("password_change")}"' in client.get(reverse("home")).content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD,
    }, follow=True)
    assert "密码已修改" in response.content.decode()
    assert response.context["user"].is_authenticated  # still logged in here
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.must_change_password
    assert sent() == [(user.pk, user.username)]


def test_the_old_password_is_required(sent):
    user = make_user()
    client = logged_in_client(user)
    page = client.post(reverse("password_change"), {
        "old_password": "not-my-password", "new_password1": GOOD, "new_password2": GOOD,
    }).content.decode()
    assert "旧密码不正确" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not sent()


def test_a_weak_new_password_is_refused_and_nothing_changes(sent):
    user = make_user()
    client = logged_in_client(user)
    page = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "harbin123", "new_password2": "harbin123",
    }).content.decode()
    assert "密码太短，至少需要 10 个字符。" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not sent()


def test_other_sessions_end_when_the_password_changes():
    user = make_user()
    here, elsewhere = logged_in_client(user), logged_in_client(user)
    here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD})
    assert here.get(reverse("home")).status_code == 200
    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302
    assert "未操作" not in elsewhere.get(response["Location"]).content.decode()  # not mistaken for an idle timeout


def test_anonymous_is_sent_to_login():
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- a password set by an administrator --------------------------------------------------------------------


def test_an_admin_reset_must_be_changed_at_next_login(personas, sent):
    target = personas["staff"]
    admin = Client()
    admin.force_login(personas["admin"])
    response = admin.post(reverse("accounts:password", args=[target.pk]), {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.must_change_password
    assert sent() == [(target.pk, personas["admin"].username)]

    client = Client()
    response = client.post(reverse("login"), {"username": target.username, "password": GOOD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "请先修改为只有您自己知道的密码" in response.content.decode()
    # Every page leads back here until it is done; logging out still works.
    for url in (reverse("home"), reverse("submissions:list"), reverse("scoring:ranking")):
        assert client.get(url)["Location"] == reverse("password_change")
    new = "Taiyang-Dao-2025"
    client.post(reverse("password_change"), {"old_password": GOOD, "new_password1": new, "new_password2": new})
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(new)
    assert client.get(reverse("home")).status_code == 200


def test_logging_out_is_allowed_before_the_change():
    user = make_user(must_change_password=True)
    client = logged_in_client(user)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_new_account_must_change_its_password(personas):
    admin = Client()
    admin.force_login(personas["admin"])
    admin.post(reverse("accounts:create"), {
        "username": "xinzhanghao", "role": "viewer", "password1": GOOD, "password2": GOOD,
    })
    assert User.objects.get(username="xinzhanghao").must_change_password


def test_the_demo_accounts_keep_demo12345_and_are_not_forced():
    make_unit(name="道里区")
    make_unit(name="南岗区")
    seed_accounts()
    for username, *_ in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        assert not User.objects.get(username=username).must_change_password


def test_password_page_query_count(django_assert_num_queries):
    client = Client()
    client.force_login(make_user())
    with django_assert_num_queries(2):  # session, user
        assert client.get(reverse("password_change")).status_code == 200


def test_the_account_list_shows_who_must_still_change_their_password(personas):
    make_user(username="pending", must_change_password=True)
    admin = Client()
    admin.force_login(personas["admin"])
    page = admin.get(reverse("accounts:list")).content.decode()
    assert page.count("待本人修改密码") == 1
