"""Logs an operator can read: one JSON line per event with the request's id, user, address, method, path, status and
duration; security events under the "security" logger; readable lines under DEBUG."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path, reverse

from operations.logs import JsonFormatter, RequestContextFilter
from tests.factories import PASSWORD, login, make_personas, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def boom(request):
    raise RuntimeError("the view broke")


# For the 500 test: this module serves as the URLconf.
urlpatterns = [path("boom/", boom)]


@pytest.fixture
def log_lines():
    """The JSON lines the production handler writes, parsed, for every logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def request_line(lines: list[dict]) -> dict:
    (line,) = [line for line in lines if line["logger"] == "request"]
    return line


def test_a_normal_request_is_one_line_with_every_field(client, log_lines):
    officer = make_personas()["officer_a"]
    login(client, officer)
    response = client.get(reverse("home"))
    line = request_line(log_lines())
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["user"] == officer.username and line["client"] == "127.0.0.1"
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert isinstance(line["duration_ms"], int) and line["duration_ms"] >= 0
    assert line["message"] == f"GET / 200 {line['duration_ms']}ms"
    when = dt.datetime.fromisoformat(line["time"])
    assert when.utcoffset() is not None
    assert abs(when - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_a_refusal_is_a_warning_and_a_security_event_of_the_same_request(client, log_lines):
    officer = make_personas()["officer_a"]
    login(client, officer)
    response = client.get(reverse("operations:status"))
    assert response.status_code == 403
    lines = log_lines()
    line = request_line(lines)
    assert (line["level"], line["status"], line["user"]) == ("WARNING", 403, officer.username)
    (security,) = [x for x in lines if x["logger"] == "security" and x["message"].startswith("permission denied")]
    assert security["message"] == "permission denied: GET /status/"
    assert security["level"] == "WARNING"
    assert (security["request_id"], security["user"], security["path"]) == (response["X-Request-ID"], officer.username,
                                                                           "/status/")


def test_a_500_is_an_error_line_with_the_traceback_under_the_same_request_id(settings, log_lines):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    lines = log_lines()
    line = request_line(lines)
    assert (line["level"], line["status"], line["path"]) == ("ERROR", 500, "/boom/")
    (error,) = [x for x in lines if x["logger"] == "django.request"]
    assert error["request_id"] == line["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: the view broke" in error["exception"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e", True), ("req-2026.11.30_01", True), ("short", False),
     ("evil\nline injected into the log", False), ("x" * 65, False), ("<script>alert(1)</script>", False)],
)
def test_an_incoming_request_id_is_kept_only_when_safe(client, log_lines, incoming, kept):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (response["X-Request-ID"] == incoming) is kept
    assert request_line(log_lines())["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize("behind_proxy, expected", [(False, "127.0.0.1"), (True, "203.0.113.9")])
def test_the_client_address_comes_from_the_proxy_only_behind_one(client, settings, log_lines, behind_proxy, expected):
    settings.BEHIND_TLS_PROXY = behind_proxy
    client.get("/healthz", headers={"X-Forwarded-For": "10.0.0.1, 203.0.113.9"})
    assert request_line(log_lines())["client"] == expected


def test_login_failed_login_and_logout_are_security_events(client, log_lines):
    user = make_user(username="zhangsan")
    client.post(reverse("login"), {"username": "zhangsan", "password": "wrong-password"})
    client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    client.post(reverse("logout"))
    security = [(x["level"], x["message"], x.get("user")) for x in log_lines() if x["logger"] == "security"]
    assert security == [
        ("WARNING", "login failed: zhangsan", None),
        ("INFO", "login: zhangsan", user.username),
        ("INFO", "logout: zhangsan", user.username),
    ]
    assert all("wrong-password" not in str(x) for x in log_lines())


def log_from_a_process(debug: str) -> str:
    env = {"PATH": os.environ.get("PATH", ""), "DEBUG": debug, "DJANGO_SETTINGS_MODULE": "harbin_infoassess.settings"}
    code = "import django, logging; django.setup(); logging.getLogger('security').warning('登录失败: %s', 'lisi')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_logs_json_to_stdout_and_development_readable_lines():
    line = json.loads(log_from_a_process("False"))
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "security", "登录失败: lisi")
    assert line["time"].endswith("+08:00")  # the site's time zone, Asia/Shanghai
    plain = log_from_a_process("True")
    assert plain.endswith(" WARNING security: 登录失败: lisi") and not plain.startswith("{")
