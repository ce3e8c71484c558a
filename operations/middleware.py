from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.services import client_address
from operations.logs import RequestContext, current_request

request_log = logging.getLogger("request")
# An id from the proxy (nginx's $request_id) is kept when it cannot smuggle anything into a log or a header.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")


class RequestLogMiddleware:
    """Gives each request an id (back in X-Request-ID) for every line logged during it, and logs one line per
    request with its status and duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        context = RequestContext(request_id, client_address(request) or "", request.method or "", request.path, request)
        token = current_request.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            duration_ms = round((time.monotonic() - started) * 1000)
            response["X-Request-ID"] = request_id
            status = response.status_code
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            request_log.log(level, "%s %s %s %sms", context.method, context.path, status, duration_ms,
                            extra={"status": status, "duration_ms": duration_ms})
            return response
        finally:
            current_request.reset(token)
