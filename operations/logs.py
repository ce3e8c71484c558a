"""Log lines an operator can read: one JSON object per event, carrying the request it happened in.

Used by Django's LOGGING and by gunicorn's logconfig_dict (deploy/gunicorn.conf.py), so it needs no settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import SimpleLazyObject, empty

# The request fields a line may carry, in the order they are written.
REQUEST_FIELDS = ("request_id", "user", "client", "method", "path", "status", "duration_ms")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client: str
    method: str
    path: str
    request: Any

    def username(self) -> str | None:
        """The signed-in user, if the request already looked them up: a log line never costs a query."""
        user = getattr(self.request, "user", None)
        if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
            return None
        return user.get_username() or None


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, user, client address, method and path to every record logged during it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request.get()
        if context is not None:
            fields = {"request_id": context.request_id, "user": context.username(), "client": context.client,
                      "method": context.method, "path": context.path}
            for name, value in fields.items():
                if not hasattr(record, name):
                    setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON: time (ISO 8601 with the offset of the process's time zone), level, logger, message, the
    request fields that are known, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class GunicornAccessFormatter(JsonFormatter):
    """gunicorn hands its access-log atoms over as the record's arguments: written with the same fields as the
    site's own request lines (the user is only known to the site's line)."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args
        if isinstance(atoms, Mapping):
            request_id = atoms["{x-request-id}o"]
            record.request_id = None if request_id == "-" else request_id
            record.client, record.method, record.path = atoms["h"], atoms["m"], atoms["U"]
            record.status = int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"]
            record.duration_ms = atoms["M"]
        return super().format(record)
