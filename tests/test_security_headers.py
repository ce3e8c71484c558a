"""Response headers and limits: a Content-Security-Policy that allows no inline code (and templates that need
none), Permissions-Policy, no-store on every logged-in page and download, and an oversized body refused unread."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.middleware import BodySizeLimitMiddleware, body_size_limit
from bulletins.publishing import publish_bulletin
from tests.factories import make_adoption, make_request, make_submission, make_user, shanghai

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
# What a Content-Security-Policy without 'unsafe-inline' blocks: a <script> with code in it, a <style> element,
# a style="" attribute, an on…="" handler, a javascript: URL.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE,
)


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_has_inline_script_or_style(template):
    assert not INLINE_CODE.findall((ROOT / template).read_text())


@pytest.fixture
def world(personas, unit_a):
    item = make_submission(unit_a, submitted_at=shanghai(2024, 3, 1), body="正文")
    make_adoption(item, adopted_on=shanghai(2024, 3, 2).date())
    return {"personas": personas, "item": item, "request": make_request([unit_a], description="说明"),
            "bulletin": publish_bulletin(shanghai(2024, 3, 1).date())}


def pages(world) -> list[str]:
    return [
        reverse("home"), reverse("submissions:list"), reverse("submissions:detail", args=[world["item"].pk]),
        reverse("submissions:request_detail", args=[world["request"].pk]), reverse("submissions:request_create"),
        reverse("units:detail", args=[world["item"].unit_id]), reverse("scoring:ranking"), reverse("bulletins:list"),
        reverse("bulletins:detail", args=["2024-03"]), reverse("accounts:list"), reverse("accounts:locks"),
        reverse("password_change"),
    ]


def test_pages_carry_a_strict_policy_and_render_no_inline_code(world):
    client = Client()
    client.force_login(world["personas"]["admin"])
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'"
        assert policy["default-src"] == "default-src 'self'" and policy["object-src"] == "object-src 'none'"
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert not INLINE_CODE.findall(response.content.decode()), url


def test_the_scripts_moved_out_are_served_as_static_files(world):
    client = Client()
    client.force_login(world["personas"]["staff"])
    detail = client.get(reverse("submissions:detail", args=[world["item"].pk])).content.decode()
    assert 'src="/static/js/site.js"' in detail and 'src="/static/js/adoption-types.js"' in detail
    # Deletions ask on a confirmation page of the server (core.confirm), no inline dialog.
    assert "confirm(" not in detail
    assert 'src="/static/js/unit-search.js"' in client.get(reverse("submissions:request_create")).content.decode()
    for script in ("site.js", "adoption-types.js", "toggle-all.js", "unit-search.js"):
        assert (ROOT / "static" / "js" / script).read_text().strip()


def test_permissions_policy_on_every_response(world):
    for response in (Client().get(reverse("login")), Client().get("/no-such-page/")):
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("persona", ["admin", "staff", "officer_a", "viewer"])
def test_logged_in_pages_are_not_stored(world, persona):
    client = Client()
    client.force_login(world["personas"][persona])
    for url in (reverse("home"), reverse("submissions:list"), reverse("bulletins:list"), "/no-such-page/"):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_downloads_are_not_stored(world):
    client = Client()
    client.force_login(world["personas"]["viewer"])
    for url in (reverse("bulletins:export_csv", args=["2024-03"]), reverse("bulletins:export_xlsx", args=["2024-03"])):
        response = client.get(url)
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]


# --- the request body limit ------------------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def test_an_oversized_body_is_refused_from_its_content_length_unread(settings):
    factory = RequestFactory()
    request = factory.post(reverse("scoring:import"), data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(body_size_limit() + 1)
    request._stream = Unreadable()
    response = BodySizeLimitMiddleware(lambda r: pytest.fail("the request went on"))(request)
    assert response.status_code == 413
    limit_mb = settings.LEDGER_UPLOAD_MAX_BYTES // (1024 * 1024)
    assert "请求过大" in response.content.decode() and f"{limit_mb} MB" in response.content.decode()


def test_the_limit_follows_the_upload_limit(settings):
    settings.LEDGER_UPLOAD_MAX_BYTES = 1024
    request = RequestFactory().post("/", data=b"x" * 10, content_type="text/plain")
    passed = BodySizeLimitMiddleware(lambda r: HttpResponse("ok"))
    request.META["CONTENT_LENGTH"] = str(1024 + 1024 * 1024)
    assert passed(request).status_code == 200
    request.META["CONTENT_LENGTH"] = str(1024 + 1024 * 1024 + 1)
    assert passed(request).status_code == 413
    request.META["CONTENT_LENGTH"] = "not-a-number"  # Django then reads no body at all
    assert passed(request).status_code == 200


@pytest.mark.parametrize("persona", ["anonymous", "staff"])
def test_an_oversized_upload_is_refused_before_the_login_check(settings, client_for, persona):
    settings.LEDGER_UPLOAD_MAX_BYTES = 1024
    client = client_for(persona)
    body = b"x" * (body_size_limit() + 1)
    response = client.post(reverse("scoring:import"), data=body, content_type="application/octet-stream")
    assert response.status_code == 413 and "请求过大" in response.content.decode()
    # Under the limit the request goes on as before: the anonymous visitor to the login page.
    small = client.post(reverse("scoring:import"), data=b"x" * 100, content_type="application/octet-stream")
    assert small.status_code == (302 if persona == "anonymous" else 200)


def test_an_oversized_login_post_is_refused_too():
    user = make_user()
    response = Client().post(reverse("login"), data=b"x" * (body_size_limit() + 1), content_type="text/plain")
    assert response.status_code == 413
    assert user.last_login is None
