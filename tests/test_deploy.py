"""The deployment files in deploy/, each checked as far as this machine allows: gunicorn loads its configuration and
writes JSON access lines, systemd-analyze verifies the units, nginx -t the site, the compose file and Dockerfile
parse and name what the README says."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from accounts.middleware import body_size_limit

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
VENV_BIN = Path(sys.executable).parent


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def test_gunicorn_accepts_the_configuration():
    result = run([str(VENV_BIN / "gunicorn"), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"),
                  "harbin_infoassess.wsgi"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_workers_from_the_cores_recycled_with_jitter_bound_from_the_environment(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8001")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["workers"] == max(2, os.cpu_count())
    assert config["bind"] == "0.0.0.0:8001"
    assert config["max_requests"] > 0 and 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["timeout"] >= 60 and config["accesslog"] == "-"


GUNICORN_ACCESS = """
import datetime, sys
sys.argv = ["gunicorn", "-c", "deploy/gunicorn.conf.py", "harbin_infoassess.wsgi"]
from gunicorn.app.wsgiapp import WSGIApplication
from gunicorn.glogging import Logger

class Response:
    status, sent, headers = "403 Forbidden", 120, [("X-Request-ID", "0123456789abcdef")]

logger = Logger(WSGIApplication().cfg)
environ = {"REQUEST_METHOD": "POST", "RAW_URI": '/items/?q="x"', "PATH_INFO": '/items/"x"', "QUERY_STRING": "",
           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
logger.access(Response(), [], environ, datetime.timedelta(milliseconds=37))
logger.info("Booting worker with pid: %s", 42)
"""


def test_gunicorn_writes_its_access_and_error_lines_as_json():
    environment = {name: value for name, value in os.environ.items() if name != "TZ"}
    result = run([sys.executable, "-c", GUNICORN_ACCESS], cwd=ROOT, env=environment)
    assert result.returncode == 0, result.stderr
    access, error = [json.loads(line) for line in result.stdout.splitlines()]
    assert access["logger"] == "gunicorn.access" and access["level"] == "INFO"
    assert (access["method"], access["status"], access["client"]) == ("POST", 403, "127.0.0.1")
    assert access["request_id"] == "0123456789abcdef" and access["duration_ms"] == 37
    assert access["path"].startswith("/items/") and access["time"].endswith("+08:00")
    assert (error["logger"], error["message"]) == ("gunicorn.error", "Booting worker with pid: 42")
    assert error["time"].endswith("+08:00")  # the master's lines in the site's time zone too


def unit_files() -> list[Path]:
    return sorted(SYSTEMD.iterdir())


def commands_run_by_units() -> dict[str, str]:
    """Each service or timer: the manage.py command it runs."""
    template = (SYSTEMD / "infoassess-manage@.service").read_text()
    assert "manage.py %i" in template
    commands = {}
    for path in unit_files():
        text = path.read_text()
        if path.suffix == ".timer":
            commands[path.name] = re.search(r"^Unit=infoassess-manage@(\w+)\.service$", text, re.M)[1]
        elif match := re.search(r"^ExecStart=\S+/python manage\.py (\w+)", text, re.M):
            commands[path.name] = match[1]
    return commands


def test_the_units_run_the_web_server_the_worker_and_the_timed_commands():
    assert commands_run_by_units() == {
        "infoassess-worker.service": "db_worker",  # django-tasks' database worker (ledger imports in the background)
        "infoassess-backup.timer": "backup",
        "infoassess-send-reminders.timer": "send_reminders",
        "infoassess-prune-audit.timer": "prune_audit",
    }
    assert "backup" in get_commands()
    web = (SYSTEMD / "infoassess-web.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py harbin_infoassess.wsgi" in web


def test_systemd_analyze_verifies_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here: the units cannot be verified on this machine")
    # The units name the installed paths; here they point at this checkout so the programs they start exist.
    for path in unit_files():
        text = path.read_text().replace("/srv/infoassess", str(ROOT)).replace("/var/backups/infoassess", str(tmp_path))
        (tmp_path / path.name).write_text(text.replace(f"{ROOT}/.venv/bin/", f"{VENV_BIN}/"))
    names = [p.name for p in unit_files() if "@" not in p.name]
    names += [f"infoassess-manage@{command}.service" for command in set(commands_run_by_units().values())]
    result = run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path)
    # systemd-analyze only warns about a bad setting; any line about our units is a failure.
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "infoassess" in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr


NGINX = DEPLOY / "nginx" / "infoassess.conf"


def nginx_setting(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", NGINX.read_text(), re.M)


def megabytes(value: str) -> int:
    assert value.endswith("m"), value
    return int(value[:-1]) * 1024 * 1024


def test_nginx_takes_a_ledger_of_the_upload_limit_and_passes_the_headers_the_settings_expect():
    (body,) = nginx_setting("client_max_body_size")
    assert settings.LEDGER_UPLOAD_MAX_BYTES < megabytes(body) <= settings.LEDGER_UPLOAD_MAX_BYTES + 4 * 1024 * 1024
    assert megabytes(body) >= body_size_limit()  # whatever the site refuses itself reaches it, to be told in Chinese
    headers = dict(h.split(None, 1) for h in nginx_setting("proxy_set_header"))
    # settings.SECURE_PROXY_SSL_HEADER (BEHIND_TLS_PROXY) reads X-Forwarded-Proto; the logs read the rest.
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for" and headers["X-Request-ID"] == "$request_id"
    (static,) = nginx_setting("alias")
    assert static.endswith(f"/{Path(settings.STATIC_ROOT).name}/")
    assert re.search(r"location /media/ \{\s*return 404;", NGINX.read_text())
    assert "ssl_certificate" in NGINX.read_text() and "listen 443 ssl" in NGINX.read_text()


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed here (apt-get install nginx): nginx -t cannot check the site")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed here: no certificate for nginx -t")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")]).check_returncode()
    site = (NGINX.read_text().replace("/etc/ssl/infoassess/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/infoassess/privkey.pem", str(tmp_path / "key.pem")))
    (tmp_path / "site.conf").write_text(site)
    temp_paths = " ".join(f"{kind}_temp_path {tmp_path};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                                         f"http {{ access_log off; {temp_paths} include {tmp_path}/site.conf; }}\n")
    result = run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")])
    assert result.returncode == 0, result.stderr


def test_compose_runs_postgresql_the_web_server_and_the_worker_from_the_dockerfile():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "web", "worker"}
    assert services["db"]["image"] == "postgres:15"
    for name in ("web", "worker"):
        service = services[name]
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn -c deploy/gunicorn.conf.py harbin_infoassess.wsgi" in " ".join(services["web"]["command"])
    assert services["worker"]["command"] == ["python", "manage.py", "db_worker", "--no-reload"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_dockerfile_builds_from_requirements_with_the_matching_pg_dump():
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    assert lines[[i for i, line in enumerate(lines) if line.startswith("FROM")][0]].startswith("FROM python:3.11")
    assert "COPY requirements.txt ." in lines and "RUN pip install --no-cache-dir -r requirements.txt" in lines
    assert any("postgresql-client-15" in line for line in lines)
    assert lines[-1] == 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "harbin_infoassess.wsgi"]'
