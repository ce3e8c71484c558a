"""Any cell of any sheet may hold anything: the import either loads the workbook or refuses it with Chinese
messages, writing nothing — never another exception (INTERFACES.md, Loading: all or nothing)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from scoring.ledger import SHEETS, ImportResult, LedgerInvalid, import_ledger
from tests.factories import counts, make_submission, make_unit
from tests.ledger_builder import ledger_file

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Values a ledger cell could plausibly hold, right or wrong, so some rows are valid and some are not.
PLAUSIBLE = [
    "道里区",
    "南岗区",
    "松北区",
    "区政府",
    "县(市)政府",
    "委办局",
    "驻外办事处",
    "是",
    "否",
    "一般动态",
    "紧急重要",
    "小型调研",
    "大型调研",
    "调研",
    "市",
    "省",
    "国务院",
    "阅研性",
    "肯定性",
    "借鉴性",
    "决策性",
    "迟报",
    "漏报",
    "瞒报",
    "自查",
    "抽查",
    "互查",
    "OLD-1",
    "ZY1",
    "2024",
    "2024-03-01",
    "2024-03-01 09:00",
    "2024-02-30",
    "道里区、南岗区",
    "4.5",
    "5.5",
    " 5 ",
    "",
]
text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).filter(
    lambda s: not ILLEGAL_CHARACTERS_RE.search(s)
)
cell = st.one_of(
    st.none(),
    st.sampled_from(PLAUSIBLE),
    text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
)


@st.composite
def workbooks(draw) -> dict[str, list[dict]]:
    sheets = {}
    for sheet in draw(st.lists(st.sampled_from(list(SHEETS)), unique=True, max_size=len(SHEETS))):
        required, optional = SHEETS[sheet]
        columns = required + optional + ["其他"]
        kept = [c for c in columns if c in required or draw(st.booleans())] if draw(st.booleans()) else columns
        sheets[sheet] = draw(st.lists(st.fixed_dictionaries({c: cell for c in kept}), max_size=4))
    return sheets


@pytest.fixture
def system():
    unit = make_unit(name="道里区", sequence="district")
    make_submission(unit, ledger_no="OLD-1")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sheets=workbooks())
def test_any_workbook_is_loaded_or_refused_cleanly(system, sheets):
    with transaction.atomic():
        before = counts()
        try:
            result = import_ledger(ledger_file(sheets))
        except LedgerInvalid as invalid:
            assert counts() == before
            assert invalid.errors and all(CHINESE.search(e.message) for e in invalid.errors)
            assert all(e.sheet in SHEETS for e in invalid.errors)
        else:
            assert isinstance(result, ImportResult)
        transaction.set_rollback(True)  # each example starts from the same facts
