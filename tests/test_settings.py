"""Settings come from the environment: SQLite by default, DATABASE_URL switches, production passes --deploy.

Each case runs in a fresh interpreter with a clean environment, because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'options': db.get('OPTIONS', {}),"
    " 'debug': settings.DEBUG, 'language': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE,"
    " 'ssl_redirect': settings.SECURE_SSL_REDIRECT, 'hsts': settings.SECURE_HSTS_SECONDS,"
    " 'proxy_header': settings.SECURE_PROXY_SSL_HEADER}))"
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    # Only what Python needs to start: no DATABASE_URL, DEBUG or SECRET_KEY leaking in from the caller.
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "harbin_infoassess.settings", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def settings_with(**env: str) -> dict:
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_database_is_sqlite_file_in_the_project():
    values = settings_with()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "db.sqlite3")
    # Concurrent writers queue instead of failing mid-transaction.
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert (values["language"], values["tz"]) == ("zh-hans", "Asia/Shanghai")
    assert values["debug"] is False


def test_database_url_switches_to_postgresql():
    values = settings_with(DATABASE_URL="postgres://office:secret@db.example.org:5432/infoassess")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "infoassess"
    assert "transaction_mode" not in values["options"]


@pytest.mark.parametrize("value, expected", [("True", True), ("true", True), ("1", True), ("False", False), ("0", False)])
def test_debug_is_a_strict_boolean(value, expected):
    assert settings_with(DEBUG=value)["debug"] is expected


@pytest.mark.parametrize("name", ["DEBUG", "SECURE_SSL_REDIRECT"])
def test_a_mistyped_boolean_is_refused(name):
    result = run(["-c", PRINT_SETTINGS], **{name: "flase"})
    assert result.returncode != 0
    assert f"{name} must be true or false" in result.stderr


def test_https_switches_for_a_site_behind_a_tls_proxy():
    values = settings_with(SECURE_SSL_REDIRECT="False", SECURE_HSTS_SECONDS="0", BEHIND_TLS_PROXY="True")
    assert values["ssl_redirect"] is False and values["hsts"] == 0
    assert values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_settings_pass_the_deploy_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_refuses_the_development_key():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="False", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr + result.stdout


def test_lockout_and_session_limits_come_from_the_environment():
    show = ("import django; from django.conf import settings as s; django.setup();"
            "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.SESSION_COOKIE_AGE, s.SESSION_ABSOLUTE_SECONDS)")
    assert run(["-c", show]).stdout.split() == ["5", "1800.0", "1800", "28800"]
    changed = run(["-c", show], LOGIN_FAILURE_LIMIT="3", LOGIN_LOCKOUT_MINUTES="60", SESSION_IDLE_MINUTES="15",
                  SESSION_ABSOLUTE_HOURS="4")
    assert changed.stdout.split() == ["3", "3600.0", "900", "14400"]
