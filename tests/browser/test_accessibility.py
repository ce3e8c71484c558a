"""axe-core on the main pages, as every role would open them: no serious or critical violation.

axe-core (npm package `axe-core`, MPL-2.0, its LICENSE beside it) is vendored under tests/browser/vendor/: it is a
test tool, so it stays out of static/ (collectstatic would ship it to production). It is evaluated through the
DevTools protocol, which the Content-Security-Policy does not apply to, so the pages are checked under their real
policy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accounts.models import Role
from awards.services import finalize_year, pick_award
from bulletins.publishing import publish_bulletin
from scoring.models import RuleSet
from scoring.rules import RULES_2008
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    make_adoption,
    make_carrier,
    make_issue,
    make_person,
    make_request,
    make_scored_unit,
    make_submission,
    make_user,
    shanghai,
)
from units.models import PersonRole, Sequence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
YEAR = 2024


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    return [f"{url} {entry}" for entry in found]


def test_no_serious_or_critical_violation_on_the_main_pages(browser, live_server):
    RuleSet.objects.get_or_create(name="2008", defaults={"params": RULES_2008})
    units = [make_scored_unit(Sequence.DISTRICT, n, name=name) for n, name in ((6, "南岗区"), (4, "道里区"), (1, "呼兰区"))]
    leader = make_person(units[0], role=PersonRole.LEADER_IN_CHARGE, name="王分管", post="副区长")
    item = make_submission(units[1], title="冰雪旅游情况", submitted_at=shanghai(YEAR, 3, 5))
    make_adoption(item, adopted_on=dt.date(YEAR, 3, 9))
    make_request([units[0], units[1]], title="专约一")
    make_issue(make_carrier(), items=[item])
    publish_bulletin(dt.date(YEAR, 3, 1))
    finalize_year(YEAR)
    pick_award(YEAR, "organizer", leader.pk)  # a picked row shows its 取消 button
    users = {role: make_user(role, username=f"a11y-{role}") for role in (Role.ADMIN, Role.STAFF, Role.VIEWER, Role.AUDITOR)}
    users[Role.OFFICER] = make_user(Role.OFFICER, units[1], username="a11y-officer")

    common = ["/", "/items/", f"/items/{item.pk}/", "/items/requests/", "/scoring/",
              f"/scoring/scorecard/{units[1].pk}/{YEAR}/", "/bulletins/", f"/bulletins/{YEAR}-03/",
              "/awards/", f"/awards/{YEAR}/", f"/units/{units[1].pk}/",
              # A catalogue loaded into the page when opened, its page of its own, and the print view.
              f"/bulletins/{YEAR}-03/#catalogue-district", f"/bulletins/{YEAR}-03/v1/catalogue/district/",
              f"/bulletins/{YEAR}-03/?print=1"]
    pages = {
        Role.ADMIN: common + ["/units/", "/editorial/", "/editorial/issues/", "/audit/", "/accounts/",
                              f"/bulletins/{YEAR}-03/preview/", "/scoring/basic/", "/items/new/",
                              # An award's candidates and the review page's fold, each as a page of its own.
                              f"/awards/{YEAR}/candidates/organizer/", f"/awards/{YEAR}/review/",
                              f"/awards/{YEAR}/review/district/"],
        Role.STAFF: common + ["/units/", "/editorial/", "/items/joint/", "/items/failures/"],
        Role.VIEWER: common + ["/units/", "/editorial/"],
        Role.AUDITOR: ["/", "/scoring/", "/bulletins/", f"/bulletins/{YEAR}-03/", f"/awards/{YEAR}/", "/audit/"],
        Role.OFFICER: common + ["/items/new/"],
    }
    found = []
    for role, urls in pages.items():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        page = context.new_page()
        sign_in(page, users[role].username, PASSWORD)
        found += [f"{role}: {v}" for url in urls for v in violations(page, url)]
        context.close()
    assert found == []
