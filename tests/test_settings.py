"""Settings come from the environment: SQLite by default, DATABASE_URL switches, production passes --deploy.

Settings are read once per process, so each case executes the settings module afresh under a clean
environment (in this process: quick); the deploy check runs as the real command in a fresh interpreter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.core.checks.security.base import check_secret_key
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
# Only what Python needs to start: no DATABASE_URL, DEBUG or SECRET_KEY leaking in from the caller.
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "harbin_infoassess.settings"}


def load_settings(**env: str) -> ModuleType:
    """harbin_infoassess/settings.py executed afresh with only `env` in the environment."""
    spec = importlib.util.spec_from_file_location("fresh_settings", ROOT / "harbin_infoassess" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, {**BASE_ENV, **env}, clear=True):
        spec.loader.exec_module(module)
    return module


def settings_with(**env: str) -> dict:
    module = load_settings(**env)
    db = module.DATABASES["default"]
    values = {
        "engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}), "debug": module.DEBUG,
        "language": module.LANGUAGE_CODE, "tz": module.TIME_ZONE, "ssl_redirect": module.SECURE_SSL_REDIRECT,
        "hsts": module.SECURE_HSTS_SECONDS, "proxy_header": getattr(module, "SECURE_PROXY_SSL_HEADER", None),
    }
    return json.loads(json.dumps(values))  # plain values, as a reader of the settings would compare them


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True,
                          timeout=120)


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
    with pytest.raises(ImproperlyConfigured, match=f"{name} must be true or false"):
        load_settings(**{name: "flase"})


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
    # The same check that `manage.py check --deploy` runs, on the key production gets when SECRET_KEY is unset.
    default_key = load_settings(DEBUG="False", ALLOWED_HOSTS="example.org").SECRET_KEY
    with override_settings(SECRET_KEY=default_key):
        assert [warning.id for warning in check_secret_key(None)] == ["security.W009"]
    with override_settings(SECRET_KEY=secrets.token_urlsafe(50)):
        assert check_secret_key(None) == []


def test_lockout_and_session_limits_come_from_the_environment():
    default = load_settings()
    assert (default.AXES_FAILURE_LIMIT, default.AXES_COOLOFF_TIME.total_seconds()) == (5, 1800)
    assert (default.SESSION_COOKIE_AGE, default.SESSION_ABSOLUTE_SECONDS) == (1800, 28800)
    changed = load_settings(LOGIN_FAILURE_LIMIT="3", LOGIN_LOCKOUT_MINUTES="60", SESSION_IDLE_MINUTES="15",
                            SESSION_ABSOLUTE_HOURS="4")
    assert (changed.AXES_FAILURE_LIMIT, changed.AXES_COOLOFF_TIME.total_seconds()) == (3, 3600)
    assert (changed.SESSION_COOKIE_AGE, changed.SESSION_ABSOLUTE_SECONDS) == (900, 14400)
