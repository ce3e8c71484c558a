"""gunicorn for harbin_infoassess: `gunicorn -c deploy/gunicorn.conf.py harbin_infoassess.wsgi` from the project.

Environment: GUNICORN_BIND (default 127.0.0.1:8000, behind nginx), GUNICORN_WORKERS (default one per core, at
least 2), GUNICORN_THREADS (default 1).
"""

import multiprocessing
import os
import time
from pathlib import Path

# The site's time zone (settings.TIME_ZONE) for the master's lines too, so every line carries the same offset.
os.environ.setdefault("TZ", "Asia/Shanghai")
time.tzset()

chdir = str(Path(__file__).resolve().parent.parent)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One per core, not gunicorn's usual 2 × cores + 1: the pages compute rather than wait, and each worker keeps its
# own assessments and brings them up to date after every write (units/versioning.py), so each worker more repeats
# that work. On 2 cores under the load test: 2 workers 87 requests/s, 3 workers 82, 5 workers 68 (README › Load
# test). With the database on another machine, workers wait longer on it: raise GUNICORN_WORKERS.
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count())))
# Threads per worker (gthread when above 1): see README › Performance › Load test for what was measured.
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# A large ledger upload or a year's workbook export takes a while; nginx waits a little longer (proxy_read_timeout).
timeout = 120
graceful_timeout = 30
# Recycle workers now and then so no slow leak grows for months; the jitter keeps them from restarting together.
# Not often: a new worker computes the year's assessments again (units/versioning.py keeps them per process),
# so at 1,000 requests a busy site (100 requests a second) had a cold worker every 10 seconds.
max_requests = 50_000
max_requests_jitter = 5_000
# systemd (or the container runtime) manages the server with signals; no control socket in the user's home.
control_socket_disable = True

# Access and error lines as JSON on standard output, with the fields of the site's own request lines
# (operations/logs.py); the message is the readable summary.
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"
logconfig_dict = {
    "formatters": {
        "json": {"()": "operations.logs.JsonFormatter"},
        "access": {"()": "operations.logs.GunicornAccessFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    # Until the site configures its own logging in each worker: warnings only (django-environ chats at INFO).
    "root": {"level": "WARNING", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
