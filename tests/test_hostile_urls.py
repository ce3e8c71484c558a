"""No URL is a 500: every URL pattern walked with hostile path and query-string values, as every persona.

The walk reads the patterns from the resolver, so a new page is walked without being listed here; only a page
with path parameters needs its valid values named in VALID_ARGS (a test below fails until it is).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from accounts.forms import AccountFilterForm
from accounts.models import Role
from awards.forms import CandidateListForm
from awards.services import finalize_year
from bulletins.models import BulletinVersion
from bulletins.publishing import publish_bulletin
from editorial.forms import InboxFilterForm
from notifications.models import Notice
from scoring.forms import BasicListFilterForm, PeriodForm
from scoring.models import ImportJob, ImportStatus, RuleSet
from submissions.forms import FailureFilterForm, ItemFilterForm
from tests.factories import (
    PERSONAS,
    login,
    make_adoption,
    make_basic_work,
    make_carrier,
    make_failure,
    make_instruction,
    make_issue,
    make_person,
    make_request,
    make_submission,
    make_user,
    shanghai,
)
from units.forms import UnitFilterForm

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
YEAR = 2024
ADMIN = "admin:"  # Django's admin site

# Raw (already URL-encoded) path segments and query values: a non-ASCII digit, a negative number, SQL, 10,000
# characters, a NUL byte, a number past 64 bits, and text where a number belongs.
HOSTILE_PATH = ["%C2%B2", "-1", "%27%20OR%201%3D1", "9" * 10_000, "a" * 10_000, "%00", "99999999999999999999", "abc"]
HOSTILE_QUERY = ["²", "-1", "' OR 1=1", "x" * 10_000, "\x00", "99999999999999999999"]

# Every query-string name the views read: their own reads (checked against the code below), the list address a
# list's rows carry (core.list_return) and their filter forms.
QUERY_READS = {"page", "request", "format", "year", "preview", "version", "layout", "print", "month", "day", "next"}
QUERY_PARAMS = sorted(
    QUERY_READS
    | set(ItemFilterForm.base_fields) | set(FailureFilterForm.base_fields)
    | set(UnitFilterForm.base_fields) | set(PeriodForm.base_fields) | set(InboxFilterForm.base_fields)
    | set(BasicListFilterForm.base_fields) | set(AccountFilterForm.base_fields) | set(CandidateListForm.base_fields)
)


@pytest.fixture
def world(personas, unit_a, unit_b):
    item = make_submission(unit_a, pending=[unit_b], submitted_at=shanghai(YEAR, 3, 1))
    make_basic_work(unit_a, year=YEAR)
    make_basic_work(unit_b, year=YEAR)
    finalize_year(YEAR)
    return {
        "personas": personas,
        "unit": unit_a,
        "item": item,
        "adoption": make_adoption(item, adopted_on=shanghai(YEAR, 3, 2).date()),
        "instruction": make_instruction(item, instructed_on=shanghai(YEAR, 3, 3).date()),
        "request": make_request([unit_a]),
        "failure": make_failure(unit_a),
        "person": make_person(unit_a),
        "ruleset": RuleSet.objects.first(),
        "bulletin": publish_bulletin(shanghai(YEAR, 3, 1).date()),
        "import": ImportJob.objects.create(
            user=personas["staff"], file="ledgers/missing.xlsx", file_name="台账.xlsx", size=1, sha256="0" * 64,
            status=ImportStatus.FAILED, problem_total=1,
            problems=[{"sheet": "报送", "row": 2, "column": "标题", "value": "=1+1", "message": "不能为空"}],
        ),
        "issue": make_issue(make_carrier(), [make_submission(unit_a, submitted_at=shanghai(YEAR, 3, 4))]),
    }


def valid_args(world: dict) -> dict[str, dict[str, object]]:
    """The valid value of each path parameter, by URL name."""
    unit, item, person = world["unit"].pk, world["item"].pk, world["person"].pk
    account, version = world["personas"]["viewer"].pk, world["bulletin"]
    month = f"{YEAR}-03"
    issue = world["issue"]
    entry = issue.entries.get().pk
    return {
        "accounts:edit": {"pk": account}, "accounts:password": {"pk": account},
        "accounts:deactivate": {"pk": account}, "accounts:reactivate": {"pk": account},
        "units:detail": {"pk": unit}, "units:edit": {"pk": unit}, "units:deactivate": {"pk": unit},
        "units:reactivate": {"pk": unit}, "units:person_create": {"unit_pk": unit},
        "units:person_edit": {"pk": person}, "units:person_delete": {"pk": person},
        "submissions:detail": {"pk": item}, "submissions:edit": {"pk": item},
        "submissions:invalidate": {"pk": item}, "submissions:restore": {"pk": item},
        "submissions:adoption_create": {"pk": item}, "submissions:instruction_create": {"pk": item},
        "submissions:adoption_edit": {"pk": item, "fact_pk": world["adoption"].pk},
        "submissions:adoption_delete": {"pk": item, "fact_pk": world["adoption"].pk},
        "submissions:instruction_edit": {"pk": item, "fact_pk": world["instruction"].pk},
        "submissions:instruction_delete": {"pk": item, "fact_pk": world["instruction"].pk},
        "submissions:joint_confirm": {"pk": item, "unit_pk": world["personas"]["officer_b"].unit_id},
        "submissions:joint_decline": {"pk": item, "unit_pk": world["personas"]["officer_b"].unit_id},
        "submissions:request_detail": {"pk": world["request"].pk},
        "submissions:request_edit": {"pk": world["request"].pk},
        "submissions:failure_edit": {"pk": world["failure"].pk},
        "submissions:failure_delete": {"pk": world["failure"].pk},
        "scoring:scorecard": {"pk": unit, "year": YEAR}, "scoring:basic_unit": {"pk": unit, "year": YEAR},
        "scoring:ruleset_detail": {"pk": world["ruleset"].pk}, "scoring:ruleset_copy": {"pk": world["ruleset"].pk},
        "scoring:ruleset_edit": {"pk": world["ruleset"].pk},
        **{f"scoring:{name}": {"pk": world["import"].pk} for name in (
            "import_job", "import_job_status", "import_job_cancel", "import_job_retry", "import_job_problems",
            "import_job_file",
        )},
        "bulletins:detail": {"month": month}, "bulletins:preview": {"month": month},
        "bulletins:publish": {"month": month}, "bulletins:export_xlsx": {"month": month},
        "bulletins:export_csv": {"month": month},
        "bulletins:version": {"month": month, "version": version.version, "pk": version.pk},
        "bulletins:catalogue": {"month": month, "version": version.version, "sequence": "bureau"},
        "awards:year": {"year": YEAR}, "awards:review": {"year": YEAR}, "awards:finalize": {"year": YEAR},
        "awards:review_sequence": {"year": YEAR, "sequence": "district"}, "awards:candidates": {"year": YEAR, "kind": "officer"},
        "awards:workbook": {"year": YEAR}, "awards:csv": {"year": YEAR, "slug": "model"},
        "awards:pick": {"year": YEAR}, "awards:contribution": {"year": YEAR},
        "awards:contribution_delete": {"year": YEAR, "person_id": person},
        "submissions:withdraw": {"pk": item},
        "editorial:review": {"pk": item}, "editorial:decide": {"pk": item}, "editorial:item_adoption": {"pk": item},
        "editorial:carrier_edit": {"pk": issue.carrier_id},
        **{f"editorial:{name}": {"pk": issue.pk} for name in (
            "issue_detail", "issue_edit", "issue_publish", "issue_withdraw", "issue_discard", "issue_download",
            "entry_forward")},
        **{f"editorial:{name}": {"pk": issue.pk, "entry_pk": entry} for name in ("entry_edit", "entry_remove")},
        "editorial:entry_move": {"pk": issue.pk, "entry_pk": entry, "direction": "up"},
        "editorial:upward_adoption": {"entry_pk": entry},
        # Officer A's own notice (the finalized year), which the others may not mark read.
        "notifications:read": {"pk": Notice.objects.filter(recipient=world["personas"]["officer_a"]).first().pk},
    }


def url_patterns() -> list[tuple[str, str, list[str]]]:
    """(URL name, route with `<converter:name>` placeholders, parameter names) for every pattern."""
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                found.append((f"{namespace}{p.name}", route, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "/", "")
    return found


def fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def clients(world: dict) -> dict[str, Client]:
    return {persona: login(Client(raise_request_exception=False), world["personas"][persona]) for persona in PERSONAS}


def assert_no_500(client: Client, method: str, url: str, persona: str):
    response = getattr(client, method)(url)
    # An unhandled error is a 500 (the client does not raise it). /healthz answers 503 on purpose when a check fails.
    assert response.status_code != 500, (persona, method, url[:200])
    return response


def test_every_pattern_with_path_parameters_has_valid_values(world):
    valid = valid_args(world)
    missing = [(name, params) for name, _, params in url_patterns()
               if params and not name.startswith(ADMIN) and not set(params) <= set(valid.get(name, {}))]
    assert not missing


def test_every_query_parameter_a_view_reads_is_walked():
    read = set()
    for source in ROOT.glob("*/views.py"):
        code = source.read_text()
        read |= set(re.findall(r"""request\.GET(?:\.get\(|\[)["'](\w+)["']""", code))
        read |= set(re.findall(r"""["'](\w+)["']\s+in\s+request\.GET""", code))
    assert read and read <= set(QUERY_PARAMS), read - set(QUERY_PARAMS)


def test_hostile_path_values_are_never_a_500(world):
    valid, by_persona = valid_args(world), clients(world)
    for name, route, params in url_patterns():
        if name.startswith(ADMIN):
            continue
        for param in params:
            for value in HOSTILE_PATH:
                url = fill(route, {**valid[name], param: value})
                try:
                    resolve(unquote(url))
                except Resolver404:
                    # Refused by the converter before any view: the same 404 page for everyone.
                    assert_no_500(by_persona["admin"], "get", url, "admin")
                    continue
                for persona, client in by_persona.items():
                    assert_no_500(client, "get", url, persona)
                # A POST to a hostile address acts on nothing, so it cannot change the world for the next one.
                assert_no_500(by_persona["admin"], "post", url, "admin")


def test_hostile_admin_site_paths_are_never_a_500(world):
    superuser = Client(raise_request_exception=False)
    superuser.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    # Every model's pages are the same ModelAdmin code: the accounts' (which add the password page) stand for all.
    sampled = [(route, params) for name, route, params in url_patterns()
               if name.startswith(ADMIN) and params and route.startswith(("/django-admin/accounts/user/", "/django-admin/r/"))]
    assert len(sampled) >= 5
    for route, params in sampled:
        for value in HOSTILE_PATH:
            assert_no_500(superuser, "get", fill(route, dict.fromkeys(params, value)), "superuser")


def test_hostile_query_values_are_never_a_500(world):
    valid, by_persona = valid_args(world), clients(world)
    for k, (name, route, _) in enumerate(url_patterns()):
        if name.startswith(ADMIN):
            continue  # Django's own, for superusers only: its paths are walked above
        url = fill(route, valid.get(name, {}))
        # Every parameter at once, as every persona (page by page, each persona meets every hostile value)...
        statuses = {}
        for j, (persona, client) in enumerate(by_persona.items()):
            value = HOSTILE_QUERY[(k + j) % len(HOSTILE_QUERY)]
            statuses[persona] = assert_no_500(client, "get", f"{url}?{urlencode(dict.fromkeys(QUERY_PARAMS, value))}", persona)
        if statuses["admin"].status_code == 405:
            continue  # a POST-only address reads no query string
        # ...and each one a view reads itself alone, since one refused early (a 403 or 404) could hide another (the
        # filter forms validate all their fields together). As the administrator, who reaches every page, with the
        # hostile values taken in turn: page by page each parameter meets all of them.
        for i, param in enumerate(sorted(QUERY_READS)):
            value = HOSTILE_QUERY[(i + k) % len(HOSTILE_QUERY)]
            assert_no_500(by_persona["admin"], "get", f"{url}?{quote(param)}={quote(value)}", "admin")


def test_the_reported_award_version_is_a_404_with_a_chinese_message(world):
    client = clients(world)["viewer"]
    for url in (f"/awards/{YEAR}/", f"/awards/{YEAR}/workbook/", f"/awards/{YEAR}/csv/model/"):
        response = client.get(url, {"version": "²"})
        assert response.status_code == 404
        assert "版本号不正确" in response.content.decode()
    assert client.get(f"/awards/{YEAR}/", {"version": "1"}).status_code == 200


def test_bulletin_version_past_64_bits_is_a_404(world):
    client = clients(world)["viewer"]
    response = client.get(f"/bulletins/{YEAR}-03/export.csv", {"version": "9" * 30})
    assert response.status_code == 404
    assert BulletinVersion.objects.count() == 1
