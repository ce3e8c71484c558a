"""What is running: the code's version for the status page and backup manifests."""

from __future__ import annotations

import functools
import subprocess

from django.conf import settings


@functools.cache
def code_version() -> str:
    """APP_VERSION when the deployment sets it (a container has no .git), else the checkout's git commit."""
    if settings.APP_VERSION:
        return settings.APP_VERSION
    try:
        result = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=settings.BASE_DIR,
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"
