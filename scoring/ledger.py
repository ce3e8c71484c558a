"""Loading a ledger workbook (台账), all or nothing (INTERFACES.md, the ledger workbook).

Two phases: every sheet is read and checked against names and keys only, collecting every problem as
sheet, row, column and a Chinese message; only when there is none are the facts written, in one
transaction, keyed so that loading the same workbook again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import pickle
import queue
import re
import tempfile
import threading
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.xml.constants import REL_NS, SHEET_MAIN_NS

from audit import services as audit
from audit.models import AuditEvent, EventKind
from core.assessment import TIME_ZONE, YEARS
from scoring.bulk_sql import insert_rows, large_page_cache, refresh_statistics, select_in, update_rows
from scoring.models import (
    BASIC_ITEM_FIELDS,
    ZERO_NEEDS_REASON,
    AssessmentMethod,
    BasicWorkEntry,
    BasicWorkStatus,
    ImportStage,
)
from scoring.rules import Rules
from scoring.services import rules_for_year
from scoring.signals import ledger_imported
from scoring.xlsx_rows import MAX_CELL_CHARS, CellTooLong, open_workbook, sheet_rows
from submissions.models import (
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    AdoptionType,
    FailureKind,
    InfoType,
    InstructionKind,
    JointUnit,
    LeaderInstruction,
    Level,
    SpecialRequest,
    Submission,
    UrgentFailure,
    sync_fact_owners,
    unit_count,
)
from submissions.tallies import rebuild_all_tallies, refresh_tallies
from units.models import Sequence, Unit

# Bounds that keep a hostile file cheap: real ledgers stay far below them.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 3 * 1024 * 1024 * 1024
MAX_PART_BYTES = 1024 * 1024 * 1024  # one part (a sheet) uncompressed: Excel's largest sheet stays well below
MAX_COMPRESSION_RATIO = 250
MAX_ROWS = 2_000_000
MAX_EMPTY_ROWS = 200_000
MAX_LISTED_ERRORS = 1000
BATCH = 2000
PROGRESS_EVERY = 1000  # rows between two progress reports
REFRESH_STATISTICS_AFTER = 20_000  # rows created in a table (see bulk_sql.refresh_statistics)

SEQUENCES = {
    "区政府": Sequence.DISTRICT,
    "县(市)政府": Sequence.COUNTY,
    "委办局": Sequence.BUREAU,
    "驻外办事处": Sequence.OFFICE_ABROAD,
}
YES_NO = {"是": True, "否": False}
INFO_TYPES = {label: value for value, label in InfoType.choices}
ADOPTION_TYPES = {label: value for value, label in AdoptionType.choices}
LEVELS = {label: value for value, label in Level.choices}
INSTRUCTION_KINDS = {label: value for value, label in InstructionKind.choices}
FAILURE_KINDS = {label: value for value, label in FailureKind.choices}
METHODS = {label: value for value, label in AssessmentMethod.choices}
LIST_SEPARATORS = re.compile(r"[、,，;；]")
BASIC_COLUMNS = [f"第{i}项" for i in range(1, len(BASIC_ITEM_FIELDS) + 1)]

SHEETS: dict[str, tuple[list[str], list[str]]] = {
    # sheet: (required columns, optional columns)
    "单位": (["单位名称", "序列"], ["中直省属", "参加评比"]),
    "专约": (["专约编号", "标题", "截止时间", "对象单位"], []),
    "报送": (["信息编号", "单位名称", "标题", "报送时间", "信息类型"], ["联合报送单位", "专约编号", "无效原因"]),
    "采用": (["信息编号", "采用层级", "采用类型", "采用日期"], ["刊物", "期号"]),
    "批示": (["信息编号", "领导层级", "批示类型", "批示日期"], ["批示领导", "批示内容"]),
    "紧急信息问题": (["单位名称", "日期", "问题类型"], ["说明"]),
    # 第1项 … 第N项: N is the number of items of the year's rule set, checked row by row.
    "基础工作": (["单位名称", "年度"], [*BASIC_COLUMNS, "方式", "备注"]),
}

REQUIRED = {sheet: set(required) for sheet, (required, _) in SHEETS.items()}
LAST_SHEET = list(SHEETS)[-1]  # the sheets are checked and written in this order


@dataclass(frozen=True)
class LedgerError:
    sheet: str
    row: int | None
    column: str
    message: str
    value: str = ""  # the cell's text as read, to show beside the message

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        return f"{self.sheet} {where} {self.column}：{self.message}".replace("  ", " ")


class LedgerInvalid(Exception):
    def __init__(self, errors: list[LedgerError], total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(f"台账有 {self.total} 个问题，未导入任何数据。")


class Progress:
    """What an import reports as it goes (the upload's job page, the command's progress line); this one reports
    nowhere. `rows` may raise to stop the import while it is still checking (a cancelled job)."""

    def stage(self, stage: ImportStage, totals: dict[str, int | None]) -> None:
        """A stage begins; `totals`: the rows of each sheet it will go through, None where unknown."""

    def rows(self, sheet: str, done: int) -> None:
        """`done` rows of `sheet` are through the current stage."""


@dataclass
class ImportResult:
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    progress: Progress = field(default_factory=Progress, repr=False, compare=False)
    facts_moved: int = field(default=0, repr=False, compare=False)

    def count(self, sheet: str, outcome: str, n: int = 1) -> None:
        self.summary.setdefault(sheet, {"created": 0, "updated": 0, "unchanged": 0})[outcome] += n


class _Cell(Exception):
    """A bad value in one cell; the message is for the user."""


# ---------------------------------------------------------------- reading cells


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = _excel_serial(value).date()
    else:
        text = _text(value)
        match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
        if not match:
            raise _Cell(f"“{text}”不是日期，应为 YYYY-MM-DD")
        try:
            day = dt.date(*map(int, match.groups()))
        except ValueError:
            raise _Cell(f"日期“{text}”不存在") from None
    if day.year not in YEARS:  # a typo, or a bare number such as 2024 read as an Excel serial day (1905)
        raise _Cell(f"“{_text(value)}”不是 {YEARS.start}—{YEARS.stop - 1} 年间的日期")
    return day


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        naive = value
    elif isinstance(value, dt.date):
        naive = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        naive = _excel_serial(value)
    else:
        text = _text(value)
        match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
        if not match:
            raise _Cell(f"“{text}”不是时间，应为 YYYY-MM-DD HH:MM")
        try:
            naive = dt.datetime(*(int(g) for g in match.groups() if g is not None))
        except ValueError:
            raise _Cell(f"时间“{text}”不存在") from None
    if naive.year not in YEARS:
        raise _Cell(f"“{_text(value)}”不是 {YEARS.start}—{YEARS.stop - 1} 年间的时间")
    if naive.tzinfo is not None:
        return naive.astimezone(TIME_ZONE)
    return naive.replace(tzinfo=TIME_ZONE, microsecond=0)


def _excel_serial(value: float) -> dt.datetime:
    if not 1 <= value < 2958466:
        raise _Cell(f"“{value}”不是日期")
    return from_excel(value)


def _choice(value: Any, choices: dict[str, str], what: str) -> str:
    text = _text(value).replace("（", "(").replace("）", ")")
    if text in choices:
        return choices[text]
    if text.endswith("信息") and text[:-2] in choices:  # "一般动态信息" as the measures write it
        return choices[text[:-2]]
    raise _Cell(f"{what}“{text}”无效，应为：{'、'.join(choices)}")


def _flag(value: Any, default: bool) -> bool:
    text = _text(value)
    if not text:
        return default
    if text not in YES_NO:
        raise _Cell(f"“{text}”无效，应为“是”或“否”")
    return YES_NO[text]


def _names(value: Any) -> list[str]:
    names: list[str] = []
    for part in LIST_SEPARATORS.split(_text(value)):
        if part.strip() and part.strip() not in names:
            names.append(part.strip())
    return names


def _bounded(value: Any, limit: int, required: bool = True) -> str:
    text = _text(value)
    if required and not text:
        raise _Cell("不能为空")
    if len(text) > limit:
        raise _Cell(f"超过 {limit} 个字")
    return text


def _half_step(value: Any, most: Decimal) -> Decimal:
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        raise _Cell(f"“{_text(value)}”不是分数") from None
    # A signalling NaN cannot even be compared.
    if not number.is_finite() or not 0 <= number <= most or number * 2 != (number * 2).to_integral_value():
        raise _Cell(f"分数“{_text(value)}”无效，应为 0 到 {most.normalize():f} 之间、以 0.5 为单位")
    return number.quantize(Decimal("0.1"))


# ---------------------------------------------------------------- reading the workbook


def _check_zip(source: str | Path | IO[bytes]) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise LedgerInvalid(
            [LedgerError("", None, "", "文件不是有效的 xlsx 工作簿（可能是其他格式改了扩展名，或文件不完整）。")]
        ) from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            raise LedgerInvalid([LedgerError("", None, "", "文件不是 Excel 工作簿（缺少 xl/workbook.xml）。")])
        # Sizes as the zip directory declares them; a part that holds more than it declares fails its CRC
        # check after exactly the declared bytes (zipfile reads no further), as a damaged sheet.
        for m in members:
            bomb = m.file_size > 50 * 1024 * 1024 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1)
            if bomb or m.file_size > MAX_PART_BYTES:
                sheet = _sheet_of_part(archive, m.filename)
                part = f"工作表“{sheet}”" if sheet else f"文件中的“{m.filename}”"
                too_big = "解压后过大（疑似压缩炸弹）" if bomb else f"解压后超过 {_size_label(MAX_PART_BYTES)}的上限"
                raise LedgerInvalid([LedgerError(sheet, None, "", f"{part}{too_big}，已拒绝，未读取其内容。")])
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise LedgerInvalid([LedgerError("", None, "", "文件解压后过大（疑似压缩炸弹），已拒绝。")])


def _sheet_of_part(archive: zipfile.ZipFile, part: str) -> str:
    """The name of the sheet whose XML is `part`, from the workbook's own (small) parts; "" when not a sheet."""
    try:
        small = [archive.getinfo(name) for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
        if any(info.file_size > 10 * 1024 * 1024 for info in small):
            return ""
        workbook, rels = (ElementTree.fromstring(archive.read(info)) for info in small)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return ""
    targets = {rel.get("Id"): "xl/" + rel.get("Target", "").removeprefix("/xl/") for rel in rels}
    for sheet in workbook.iter(f"{{{SHEET_MAIN_NS}}}sheet"):
        if targets.get(sheet.get(f"{{{REL_NS}}}id")) == part:
            return sheet.get("name", "")
    return ""


def _size_label(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB " if megabytes >= 1 else f"{size} 字节"


def _size(source: str | Path | IO[bytes]) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def _sheet_rows(workbook, title: str, sheet: str) -> Iterator[tuple[int, list]]:
    """The sheet's rows of values, read from its XML only now, row by row, so a part damaged past its
    first bytes shows up here, not when the workbook is opened."""
    rows = sheet_rows(workbook, title)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except CellTooLong as cell:
            column = get_column_letter(cell.column) if cell.column else ""
            message = f"单元格超过 {MAX_CELL_CHARS} 个字符（Excel 的上限），已拒绝，未读取其内容。"
            raise LedgerInvalid([LedgerError(sheet, cell.row, column, message)]) from None
        except Exception:  # XML, zlib, CRC or openpyxl errors: all mean the same to the user
            raise LedgerInvalid([LedgerError(sheet, None, "", "工作表已损坏，无法读取。")]) from None
        yield row


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


class _Reader:
    def __init__(self, progress: Progress) -> None:
        self.errors: list[LedgerError] = []
        self.error_count = 0
        self.rows_read = 0
        self.progress = progress

    def error(self, sheet: str, row: int | None, column: str, message: str, value: Any = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(LedgerError(sheet, row, column, message, _text(value)[:200]))

    def rows(self, workbook, sheet: str) -> Iterator[_Row]:
        title = next((name for name in workbook.sheetnames if name.strip() == sheet), None)
        if title is None:
            return
        ws = workbook[title]
        if not hasattr(ws, "iter_rows"):
            self.error(sheet, None, "", "这是图表工作表，不是数据表")
            return
        required, optional = SHEETS[sheet]
        rows = _sheet_rows(workbook, title, sheet)
        _, header = next(rows, (1, None))
        if header is None:
            return
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            name = _text(name)
            if name in required or name in optional:
                columns.setdefault(name, index)
        missing = [c for c in required if c not in columns]
        for name in missing:
            self.error(sheet, 1, name, "缺少必填列")
        if missing:
            return
        empty_run = done = 0
        for number, raw in rows:
            values = {name: (raw[i] if i < len(raw) else None) for name, i in columns.items()}
            if not any(v is not None and (type(v) is not str or v.strip()) and _text(v) for v in values.values()):
                empty_run += 1
                if empty_run > MAX_EMPTY_ROWS:
                    self.error(sheet, number, "", f"连续空行超过 {MAX_EMPTY_ROWS} 行，已停止读取")
                    return
                continue
            empty_run = 0
            done += 1
            if done % PROGRESS_EVERY == 0:
                self.progress.rows(sheet, done)
            self.rows_read += 1
            if self.rows_read > MAX_ROWS:
                self.error(sheet, number, "", f"工作簿超过 {MAX_ROWS} 行的上限")
                return
            yield _Row(number, values)
        self.progress.rows(sheet, done)

    def cell(self, sheet: str, row: _Row, column: str, parse, *args) -> Any:
        """Parse one cell; on a bad value record the problem and return None."""
        value = row.values.get(column)
        if (value is None or type(value) is str and not value.strip()) and column in REQUIRED[sheet]:
            self.error(sheet, row.number, column, "不能为空")
            return None
        try:
            return parse(value, *args)
        except _Cell as problem:
            self.error(sheet, row.number, column, str(problem), value)
            return None


# ---------------------------------------------------------------- checking every sheet


class _Spill:
    """Checked rows kept in a temporary file until they are written, a chunk at a time: a million rows held in
    memory took over a gigabyte."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.buffer: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_KEYS:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            pickle.dump(self.buffer, self.file, pickle.HIGHEST_PROTOCOL)
            self.buffer = []

    def chunks(self) -> Iterator[list[tuple]]:
        self._flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


@dataclass
class _Plan:
    """The workbook's facts, keyed as INTERFACES.md says, checked and ready to write."""

    units: dict[str, dict] = field(default_factory=dict)
    requests: dict[str, dict] = field(default_factory=dict)
    # The two sheets a large ledger is made of: their keys (with the row of each) here, their rows on disk.
    items: dict[str, int] = field(default_factory=dict)
    item_rows: _Spill = field(default_factory=lambda: _Spill())
    adoptions: dict[tuple, int] = field(default_factory=dict)
    adoption_rows: _Spill = field(default_factory=lambda: _Spill())
    instructions: dict[tuple, dict] = field(default_factory=dict)
    failures: dict[tuple, dict] = field(default_factory=dict)
    basic: dict[tuple, dict] = field(default_factory=dict)


class _Checker(_Reader):
    def __init__(self, workbook, progress: Progress) -> None:
        super().__init__(progress)
        self.workbook = workbook
        self.plan = _Plan()
        # What a reference may name: what is in the system, and what a row of the workbook names even when
        # that row is wrong (its own error says what to fix; its references need not repeat it).
        self.known_units = set(Unit.objects.values_list("name", flat=True))
        self.known_requests = set(SpecialRequest.objects.values_list("code", flat=True))
        # Each number once in memory, as the key of itself: a sheet's rows reuse the string this holds.
        self.known_items = {no: no for no in Submission.objects.values_list("ledger_no", flat=True).iterator(5000)}
        self.basic_rules: dict[int, Rules] = {}  # the rule set of each year the 基础工作 sheet names

    def unique(self, sheet: str, row: _Row, column: str, key: Any, seen: dict) -> bool:
        if key in seen:
            first = seen[key] if isinstance(seen[key], int) else seen[key]["_row"]
            self.error(sheet, row.number, column, f"与第{first}行重复")
            return False
        return True

    def unit_name(self, sheet: str, row: _Row, column: str, name: str | None) -> str | None:
        if name and name not in self.known_units:
            self.error(sheet, row.number, column, f"单位“{name}”不存在（既不在“单位”工作表中，也不在系统中）", name)
            return None
        return name

    def check(self, passed: Callable[[str], None] = lambda sheet: None) -> _Plan:
        """Check every sheet in turn; `passed(sheet)` once each is through."""
        self.progress.stage(ImportStage.CHECKING, {sheet: _declared_rows(self.workbook, sheet) for sheet in SHEETS})
        for sheet in SHEETS:
            getattr(self, f"_check_{SHEET_METHODS[sheet]}")(sheet)
            passed(sheet)
        return self.plan

    def _check_units(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            name = self.cell(sheet, row, "单位名称", _bounded, 100)
            self.known_units.add(name)
            values = {
                "sequence": self.cell(sheet, row, "序列", _choice, SEQUENCES, "序列"),
                "is_central_provincial": self.cell(sheet, row, "中直省属", _flag, False),
                "is_ranked": self.cell(sheet, row, "参加评比", _flag, True),
            }
            if values["is_central_provincial"] and values["sequence"] not in (None, Sequence.BUREAU):
                # RULES.md glossary; the database refuses it too (unit_central_provincial_is_bureau).
                self.error(sheet, row.number, "中直省属", "中直、省属在哈单位应归入委办局序列，序列应为“委办局”")
                values["is_central_provincial"] = None
            if name and self.unique(sheet, row, "单位名称", name, self.plan.units) and None not in values.values():
                self.plan.units[name] = {"_row": row.number, **values}

    def _check_requests(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            code = self.cell(sheet, row, "专约编号", _bounded, 50)
            self.known_requests.add(code)
            values = {
                "title": self.cell(sheet, row, "标题", _bounded, 200),
                "deadline": self.cell(sheet, row, "截止时间", _datetime),
                "targets": self.cell(sheet, row, "对象单位", _names),
            }
            if values["targets"] == []:
                self.error(sheet, row.number, "对象单位", "不能为空")
                values["targets"] = None
            targets_ok = all([self.unit_name(sheet, row, "对象单位", n) for n in values["targets"] or []])
            if (
                code
                and self.unique(sheet, row, "专约编号", code, self.plan.requests)
                and None not in values.values()
                and targets_ok
            ):
                self.plan.requests[code] = {"_row": row.number, **values}

    def _check_items(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            ledger_no = self.cell(sheet, row, "信息编号", _bounded, 50)
            stored = ledger_no in self.known_items  # in the system (or a repeated number, itself a problem)
            ledger_no = self.known_items.setdefault(ledger_no, ledger_no)
            unit = self.unit_name(sheet, row, "单位名称", self.cell(sheet, row, "单位名称", _bounded, 100))
            joint = self.cell(sheet, row, "联合报送单位", _names) or []
            joint_ok = all([self.unit_name(sheet, row, "联合报送单位", n) for n in joint])
            if unit and unit in joint:
                self.error(sheet, row.number, "联合报送单位", "联合报送单位不能是本单位")
                joint_ok = False
            request = self.cell(sheet, row, "专约编号", _bounded, 50, False)
            if request and request not in self.known_requests:
                self.error(sheet, row.number, "专约编号", f"专约“{request}”不存在")
                request = None
            values = {
                "unit": unit,
                "title": self.cell(sheet, row, "标题", _bounded, 300),
                "submitted_at": self.cell(sheet, row, "报送时间", _datetime),
                "info_type": self.cell(sheet, row, "信息类型", _choice, INFO_TYPES, "信息类型"),
                "invalid_reason": self.cell(sheet, row, "无效原因", _bounded, 200, False),
            }
            ok = ledger_no and self.unique(sheet, row, "信息编号", ledger_no, self.plan.items)
            if ok and None not in values.values() and joint_ok and (request is not None or not _text(row.values.get("专约编号"))):
                self.plan.items[ledger_no] = row.number
                self.plan.item_rows.add((ledger_no, *values.values(), tuple(joint), request or None, stored))

    def item_ref(self, sheet: str, row: _Row) -> str | None:
        ledger_no = self.cell(sheet, row, "信息编号", _bounded, 50)
        if ledger_no and ledger_no not in self.known_items:
            self.error(sheet, row.number, "信息编号", f"信息“{ledger_no}”不存在（既不在“报送”工作表中，也不在系统中）")
            return None
        return self.known_items.get(ledger_no, ledger_no)

    def _check_adoptions(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            ledger_no = self.item_ref(sheet, row)
            level = self.cell(sheet, row, "采用层级", _choice, LEVELS, "采用层级")
            kind = self.cell(sheet, row, "采用类型", _choice, ADOPTION_TYPES, "采用类型")
            if level and kind and kind not in ALLOWED_ADOPTION_TYPES[level]:
                allowed = "、".join(AdoptionType(t).label for t in ALLOWED_ADOPTION_TYPES[level])
                self.error(
                    sheet,
                    row.number,
                    "采用类型",
                    f"{Level(level).label}级载体没有“{AdoptionType(kind).label}”类型，只能是：{allowed}",
                )
                kind = None
            values = {
                "adoption_type": kind,
                "adopted_on": self.cell(sheet, row, "采用日期", _date),
                "carrier": self.cell(sheet, row, "刊物", _bounded, 100, False),
                "issue_no": self.cell(sheet, row, "期号", _bounded, 50, False),
            }
            key = (ledger_no, level)
            if (
                ledger_no
                and level
                and self.unique(sheet, row, "采用层级", key, self.plan.adoptions)
                and None not in values.values()
            ):
                self.plan.adoptions[key] = row.number
                self.plan.adoption_rows.add((*key, *values.values()))

    def _check_instructions(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            ledger_no = self.item_ref(sheet, row)
            level = self.cell(sheet, row, "领导层级", _choice, LEVELS, "领导层级")
            kind = self.cell(sheet, row, "批示类型", _choice, INSTRUCTION_KINDS, "批示类型")
            day = self.cell(sheet, row, "批示日期", _date)
            leader = self.cell(sheet, row, "批示领导", _bounded, 50, False)
            content = self.cell(sheet, row, "批示内容", _bounded, 5000, False)
            key = (ledger_no, level, kind, day, leader)
            if None not in key and content is not None and self.unique(sheet, row, "批示日期", key, self.plan.instructions):
                self.plan.instructions[key] = {"_row": row.number, "content": content}

    def _check_failures(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            unit = self.unit_name(sheet, row, "单位名称", self.cell(sheet, row, "单位名称", _bounded, 100))
            day = self.cell(sheet, row, "日期", _date)
            kind = self.cell(sheet, row, "问题类型", _choice, FAILURE_KINDS, "问题类型")
            description = self.cell(sheet, row, "说明", _bounded, 5000, False)
            key = (unit, day, kind)
            if None not in key and description is not None and self.unique(sheet, row, "问题类型", key, self.plan.failures):
                self.plan.failures[key] = {"_row": row.number, "description": description}

    def basic_items(self, sheet: str, row: _Row, year: int) -> list[Decimal] | None:
        """第1项 … 第N项 of a row, as many as the year's rule set has items, each up to its maximum."""
        if year not in self.basic_rules:
            self.basic_rules[year] = rules_for_year(year).rules()
        rules = self.basic_rules[year]
        count, items = rules.basic_item_count, []
        for number, column in enumerate(BASIC_COLUMNS, start=1):
            text = _text(row.values.get(column))
            if number > count:
                if text:
                    self.error(sheet, row.number, column, f"{year}年度考核规则的基础工作只有{count}项，本列应为空")
            elif column not in row.values:
                self.error(sheet, row.number, column, f"缺少该列：{year}年度考核规则的基础工作有{count}项")
            elif not text:
                self.error(sheet, row.number, column, "不能为空")
            else:
                items.append(self.cell(sheet, row, column, _half_step, rules.basic_item_max))
        return items if len(items) == count and None not in items else None

    def _check_basic(self, sheet: str) -> None:
        for row in self.rows(self.workbook, sheet):
            unit = self.unit_name(sheet, row, "单位名称", self.cell(sheet, row, "单位名称", _bounded, 100))
            year = self.cell(sheet, row, "年度", _year)
            items = None if year is None else self.basic_items(sheet, row, year)
            method_text = _text(row.values.get("方式"))
            method = self.cell(sheet, row, "方式", _choice, METHODS, "方式") if method_text else AssessmentMethod.SPOT_CHECK
            note = self.cell(sheet, row, "备注", _bounded, 5000, False)
            if items and not any(items) and note == "":
                self.error(sheet, row.number, "备注", ZERO_NEEDS_REASON)
                note = None
            key = (unit, year)
            if (
                None not in key
                and items is not None
                and method
                and note is not None
                and self.unique(sheet, row, "年度", key, self.plan.basic)
            ):
                self.plan.basic[key] = {
                    "_row": row.number,
                    "method": method,
                    "note": note,
                    # The slots after the rule set's items are emptied (a corrected entry may have had more).
                    **dict(itertools.zip_longest(BASIC_ITEM_FIELDS, items)),
                }


def _declared_rows(workbook, sheet: str) -> int | None:
    """The data rows a sheet's own dimension says it has (read from the part's first bytes), for progress."""
    title = next((name for name in workbook.sheetnames if name.strip() == sheet), None)
    try:
        return max(workbook[title].max_row - 1, 0) if title else 0
    except Exception:  # unsized, a chart sheet, or damaged (the check itself says what is wrong)
        return None


def _year(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text) or int(text) not in YEARS:
        raise _Cell(f"“{text}”不是年度，应为四位年份")
    return int(text)


SHEET_METHODS = {
    "单位": "units",
    "专约": "requests",
    "报送": "items",
    "采用": "adoptions",
    "批示": "instructions",
    "紧急信息问题": "failures",
    "基础工作": "basic",
}


# ---------------------------------------------------------------- writing


def _chunks(values: list, size: int = 5000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing(queryset, field_name: str, values: list) -> list:
    """Rows whose `field_name` is among `values`, asked in chunks (SQLite bounds a query's parameters)."""
    return [obj for chunk in _chunks(sorted(set(values))) for obj in queryset.filter(**{f"{field_name}__in": chunk})]


CHUNK_KEYS = 5000  # keys asked at a time (SQLite bounds a query's parameters)


@dataclass
class _Trail:
    """The audit records of an import: one per row it changes, with before and after, and one per batch of rows
    it creates (see `batch`)."""

    user: Any
    units: dict[int, Unit] = field(default_factory=dict)  # every unit, once the units sheet is written

    def record(self, sheet: str, fields: list[str], created: list, updated: Iterable[tuple[Any, dict]]) -> None:
        rows = chain(((obj, None) for obj in created), updated)
        audit.record_many(self._event(sheet, fields, obj, before) for obj, before in rows)

    def batch(self, sheet: str, model, numbers: list[str]) -> int:
        """One record for the rows of `sheet` created together (the ledger numbers of their items given), whose id
        each of them keeps (`import_record`), so their history shows it: a record per row was a third of the
        database's work at a million rows. Their values are the ledger's, kept with the import job."""
        entry = audit.event(EventKind.CREATE, user=self.user,
                            summary=f"台账导入（{sheet}）新增 {len(numbers)} 条：{numbers[0]} 至 {numbers[-1]}")
        entry.model, entry.object_repr = model._meta.label, f"{sheet} {numbers[0]} 至 {numbers[-1]}，共 {len(numbers)} 条"
        entry.save()
        return entry.pk

    def _event(self, sheet: str, fields: list[str], obj, before: dict | None) -> AuditEvent:
        if getattr(obj, "unit_id", None) in self.units:
            obj.unit = self.units[obj.unit_id]  # so that naming the row and its unit reads no row
        changes = {}
        for name in fields:
            new = getattr(obj, name)
            if before is None or before[name] != new:
                column = type(obj)._meta.get_field(name)
                changes[str(column.verbose_name)] = [self._show(column, before[name]) if before else "", self._show(column, new)]
        item = Submission(pk=obj.submission_id) if isinstance(obj, Adoption | LeaderInstruction) else None
        return audit.event(
            EventKind.UPDATE if before else EventKind.CREATE, obj, user=self.user, changes=changes, parent=item,
            unit=obj if isinstance(obj, Unit) else None,
            summary=f"台账导入（{sheet}）" + ("" if changes else "：关联单位变更"),
        )

    def _show(self, column: models.Field, value: Any) -> str:
        if column.is_relation and column.related_model is Unit and value in self.units:
            return self.units[value].name
        return audit.display_value(column, value)


def _upsert(
    model, sheet: str, wanted: dict, existing: dict, fields: list[str], result: ImportResult, make, trail: _Trail,
    relinked: set = frozenset(),
) -> None:
    """Create what is new, update what differs, count what is unchanged; each created or updated row is audited.
    `relinked`: keys whose linked units (joint units, request targets) change, so the row is updated even when
    its own fields are the same."""
    to_create, to_update, before = [], [], []
    for key, values in wanted.items():
        current = existing.get(key)
        if current is None:
            to_create.append(make(key, values))
        elif key in relinked or any(getattr(current, f) != values[f] for f in fields):
            before.append({f: getattr(current, f) for f in fields})
            for f in fields:
                setattr(current, f, values[f])
            if hasattr(current, "version"):
                current.version += 1  # an open edit form of this item must not overwrite the import
            if hasattr(current, "updated_at"):
                current.updated_at = timezone.now()  # bulk_update skips auto_now
            to_update.append(current)
        else:
            result.count(sheet, "unchanged")
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        update_fields = fields + [f for f in ("version", "updated_at") if hasattr(to_update[0], f)]
        model.objects.bulk_update(to_update, update_fields, batch_size=BATCH)
    trail.record(sheet, fields, to_create, zip(to_update, before, strict=True))
    result.count(sheet, "created", len(to_create))
    result.count(sheet, "updated", len(to_update))
    result.progress.rows(sheet, len(wanted))


def _relinked(links, owner_path: str, owners: list[str], wanted: dict[str, list[str]]) -> set[str]:
    """The owners (by ledger number or request code) whose linked unit names differ from the wanted ones."""
    current: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted(set(owners))):
        for owner, name in links.filter(**{f"{owner_path}__in": chunk}).values_list(owner_path, "unit__name"):
            current[owner].add(name)
    return {owner for owner in owners if set(wanted[owner]) != current[owner]}


def _sync_links(through, owner_field: str, wanted: dict[int, set[int]]) -> None:
    """Make each owner's linked units exactly the wanted set (joint units, request targets)."""
    current: dict[int, set[int]] = defaultdict(set)
    stale = []
    for link in _existing(through.objects.all(), owner_field, list(wanted)):
        owner = getattr(link, owner_field)
        if link.unit_id in wanted[owner]:
            current[owner].add(link.unit_id)
        else:
            stale.append(link.pk)
    for chunk in _chunks(stale):
        through.objects.filter(pk__in=chunk).delete()
    through.objects.bulk_create(
        [through(**{owner_field: owner, "unit_id": unit}) for owner, units in wanted.items() for unit in units - current[owner]],
        batch_size=BATCH,
    )


def _write_units(plan: _Plan, result: ImportResult, trail: _Trail) -> dict[str, int]:
    fields = ["sequence", "is_central_provincial", "is_ranked"]
    existing = {u.name: u for u in _existing(Unit.objects.all(), "name", list(plan.units))}
    _upsert(Unit, "单位", plan.units, existing, fields, result, lambda name, v: Unit(name=name, **{f: v[f] for f in fields}),
            trail)
    trail.units = Unit.objects.only("name").in_bulk()
    return {unit.name: pk for pk, unit in trail.units.items()}


def _write_requests(plan: _Plan, unit_ids: dict[str, int], user, result: ImportResult, trail: _Trail) -> dict[str, int]:
    fields = ["title", "deadline"]
    existing = {r.code: r for r in _existing(SpecialRequest.objects.all(), "code", list(plan.requests))}
    targets = {code: v["targets"] for code, v in plan.requests.items()}
    _upsert(
        SpecialRequest,
        "专约",
        plan.requests,
        existing,
        fields,
        result,
        lambda code, v: SpecialRequest(code=code, created_by=user, **{f: v[f] for f in fields}),
        trail,
        _relinked(SpecialRequest.targets.through.objects, "specialrequest__code", list(existing), targets),
    )
    ids = dict(SpecialRequest.objects.values_list("code", "pk"))
    _sync_links(
        SpecialRequest.targets.through,
        "specialrequest_id",
        {ids[code]: {unit_ids[n] for n in v["targets"]} for code, v in plan.requests.items()},
    )
    return ids


ITEM_FIELDS = [
    "unit_id",
    "title",
    "submitted_at",
    "info_type",
    "invalid_reason",
    "is_invalid",
    "special_request_id",
    "unit_count",
]


def _write_items(plan: _Plan, unit_ids: dict[str, int], request_ids: dict[str, int], user, result: ImportResult,
                 trail: _Trail) -> None:
    """The items, a chunk at a time: their current values read as plain tuples, the new ones copied in, the
    changed ones updated, the unchanged ones only counted; then each chunk's joint units."""
    done = 0
    for rows in plan.item_rows.chunks():
        wanted, stored = {}, []
        for no, unit, title, submitted_at, info_type, invalid_reason, joint_names, request, in_system in rows:
            joint = [unit_ids[n] for n in joint_names]
            wanted[no] = (
                (unit_ids[unit], title, submitted_at, info_type, invalid_reason, bool(invalid_reason),
                 request_ids[request] if request else None, unit_count(joint)),
                set(joint),
            )
            if in_system:
                stored.append(no)
        # Only the numbers the system held when the check began can be there: a first load asks for none.
        existing = {row[0]: row[1:] for row in select_in(Submission, ["ledger_no", "id", "version", *ITEM_FIELDS],
                                                         "ledger_no", stored)}
        links: dict[int, set[int]] = defaultdict(set)
        for item, unit in select_in(JointUnit, ["submission_id", "unit_id"], "submission_id",
                                    [row[0] for row in existing.values()]):
            links[item].add(unit)
        new, changed = [], []
        for no, (values, joint) in wanted.items():
            current = existing.get(no)
            if current is None:
                new.append(no)
            elif current[2:] != values or links[current[0]] != joint:
                changed.append((current, no, values))
            else:
                result.count("报送", "unchanged")
        now = timezone.now()
        creator = user.pk if user else None
        record = trail.batch("报送", Submission, new) if new else None
        insert_rows(Submission, ["ledger_no", *ITEM_FIELDS, "body", "desk_state", "desk_note", "version", "created_by_id",
                                 "created_at", "updated_at", "import_record"],
                    ((no, *wanted[no][0], "", "", "", 1, creator, now, now, record) for no in new))
        update_rows(Submission, [*ITEM_FIELDS, "version", "updated_at"],
                    ((current[0], *values, current[1] + 1, now) for current, no, values in changed))
        ids = dict(select_in(Submission, ["ledger_no", "id"], "ledger_no", [no for no in new if wanted[no][1]]))
        trail.record("报送", ITEM_FIELDS, [], (
            (Submission(pk=current[0], ledger_no=no, **dict(zip(ITEM_FIELDS, values, strict=True))),
             dict(zip(ITEM_FIELDS, current[2:], strict=True)))
            for current, no, values in changed
        ))
        ids.update((no, current[0]) for current, no, _ in changed)
        _set_links(ids, wanted, links, user)
        result.count("报送", "created", len(new))
        result.count("报送", "updated", len(changed))
        done += len(wanted)
        result.progress.rows("报送", done)


def _set_links(ids: dict[str, int], wanted: dict[str, tuple], links: dict[int, set[int]], user) -> None:
    """Make the joint units of the items in `ids` (new or changed) those wanted, confirmed (RULES.md decision 10:
    a ledger's joint units are confirmed, a pending one an officer named included)."""
    stale = [(item, unit) for no, item in ids.items() for unit in links.get(item, set()) - wanted[no][1]]
    for item, unit in stale:
        JointUnit.objects.filter(submission_id=item, unit_id=unit).delete()
    insert_rows(JointUnit, ["submission_id", "unit_id", "confirmed", "confirmed_by_id", "confirmed_at"], (
        (item, unit, True, user.pk if user else None, timezone.now())
        for no, item in ids.items() for unit in wanted[no][1] - links.get(item, set())
    ))
    if ids:
        JointUnit.objects.pending().filter(submission_id__in=list(ids.values())).update(
            confirmed=True, confirmed_by=user, confirmed_at=timezone.now()
        )


ADOPTION_FIELDS = ["adoption_type", "adopted_on", "carrier", "issue_no"]


def _write_adoptions(plan: _Plan, user, result: ImportResult, trail: _Trail) -> None:
    done = 0
    for chunk in plan.adoption_rows.chunks():
        items = {no: (pk, unit, count) for no, pk, unit, count in select_in(
            Submission, ["ledger_no", "id", "unit_id", "unit_count"], "ledger_no", list({row[0] for row in chunk}))}
        wanted = {(items[no][0], level): tuple(values) for no, level, *values in chunk}
        numbers = {items[no][0]: no for no in items}
        owners = {items[row[0]][0]: items[row[0]] for row in chunk}
        existing = {(row[0], row[1]): row[2:] for row in select_in(
            Adoption, ["submission_id", "level", "id", *ADOPTION_FIELDS], "submission_id", list(owners))}
        new, changed = [], []
        for key, values in wanted.items():
            current = existing.get(key)
            if current is None:
                new.append(key)
            elif current[1:] != values:
                changed.append((current, key, values))
            else:
                result.count("采用", "unchanged")
        now, creator = timezone.now(), user.pk if user else None
        record = trail.batch("采用", Adoption, sorted({numbers[key[0]] for key in new})) if new else None
        insert_rows(Adoption, ["submission_id", "level", *ADOPTION_FIELDS, "unit_id", "unit_count", "version",
                               "created_by_id", "created_at", "import_record"],
                    ((*key, *wanted[key], owners[key[0]][1], owners[key[0]][2], 1, creator, now, record) for key in new))
        # Adoptions carry no update time; the version still moves so an open edit form cannot overwrite the import.
        update_rows(Adoption, [*ADOPTION_FIELDS], ((current[0], *values) for current, key, values in changed))
        if changed:
            Adoption.objects.filter(pk__in=[current[0] for current, _, _ in changed]).update(version=models.F("version") + 1)
        trail.record("采用", ADOPTION_FIELDS, [], (
            (Adoption(pk=current[0], submission_id=key[0], level=key[1], unit_id=owners[key[0]][1],
                      **dict(zip(ADOPTION_FIELDS, values, strict=True))),
             dict(zip(ADOPTION_FIELDS, current[1:], strict=True)))
            for current, key, values in changed
        ))
        result.count("采用", "created", len(new))
        result.count("采用", "updated", len(changed))
        done += len(chunk)
        result.progress.rows("采用", done)


def _write_instructions(plan: _Plan, user, result: ImportResult, trail: _Trail) -> None:
    item_ids = {s.ledger_no: s.pk for s in _existing(Submission.objects.only("pk", "ledger_no"), "ledger_no",
                                                       [key[0] for key in plan.instructions])}
    wanted = {(item_ids[k[0]], *k[1:]): v for k, v in plan.instructions.items()}
    existing = {
        (i.submission_id, i.level, i.kind, i.instructed_on, i.leader): i
        for i in _existing(LeaderInstruction.objects.all(), "submission_id", [k[0] for k in wanted])
    }
    _upsert(
        LeaderInstruction,
        "批示",
        wanted,
        existing,
        ["content"],
        result,
        lambda k, v: LeaderInstruction(
            submission_id=k[0],
            level=k[1],
            kind=k[2],
            instructed_on=k[3],
            leader=k[4],
            content=v["content"],
            created_by=user,
        ),
        trail,
    )


def _write_failures(plan: _Plan, unit_ids: dict[str, int], user, result: ImportResult, trail: _Trail) -> None:
    wanted = {(unit_ids[k[0]], k[1], k[2]): v for k, v in plan.failures.items()}
    existing = {
        (f.unit_id, f.occurred_on, f.kind): f for f in _existing(UrgentFailure.objects.all(), "unit_id", [k[0] for k in wanted])
    }
    _upsert(
        UrgentFailure,
        "紧急信息问题",
        wanted,
        existing,
        ["description"],
        result,
        lambda k, v: UrgentFailure(unit_id=k[0], occurred_on=k[1], kind=k[2], description=v["description"], created_by=user),
        trail,
    )


def _write_basic(plan: _Plan, unit_ids: dict[str, int], user, result: ImportResult, trail: _Trail) -> None:
    fields = ["method", "note", *BASIC_ITEM_FIELDS]
    wanted = {(unit_ids[k[0]], k[1]): v for k, v in plan.basic.items()}
    existing = {(b.unit_id, b.year): b for b in _existing(BasicWorkEntry.objects.confirmed(), "unit_id", [k[0] for k in wanted])}
    # The row is the office's confirmed entry (INTERFACES.md, 基础工作.备注).
    _upsert(
        BasicWorkEntry,
        "基础工作",
        wanted,
        existing,
        fields,
        result,
        lambda k, v: BasicWorkEntry(
            unit_id=k[0], year=k[1], status=BasicWorkStatus.CONFIRMED, entered_by=user, **{f: v[f] for f in fields}
        ),
        trail,
    )


def import_ledger(
    source: str | Path | IO[bytes], user=None, max_bytes: int = MAX_FILE_BYTES, progress: Progress | None = None
) -> ImportResult:
    """Load a ledger workbook all or nothing; raises LedgerInvalid listing every problem."""
    with _cycle_collection_paused():
        return _import(source, user, max_bytes, progress or Progress())


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while an import runs: the keys the check keeps (a million at most) were walked
    again by each collection, 5–8 % of the time; an import makes few cycles, and they are collected afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _import(source: str | Path | IO[bytes], user, max_bytes: int, progress: Progress) -> ImportResult:
    if _size(source) > max_bytes:
        raise LedgerInvalid([LedgerError("", None, "", f"文件超过 {_size_label(max_bytes)}的上限。")])
    _check_zip(source)
    if not isinstance(source, str | Path):
        source.seek(0)
    try:
        workbook = open_workbook(source)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to the user
        raise LedgerInvalid([LedgerError("", None, "", "无法读取该 xlsx 工作簿，文件可能已损坏。")]) from None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        reported = _ReportedApart(progress)
        try:
            return _check_while_writing(_Checker(workbook, reported), user)
        finally:
            workbook.close()
            reported.close()
    try:
        checker = _Checker(workbook, progress)
        plan = checker.check()
    finally:
        workbook.close()
    try:
        _writing_begins(checker)
        with large_page_cache(), _atomic():
            return _write(plan, user, progress)
    finally:
        plan.item_rows.close()
        plan.adoption_rows.close()


def _writing_begins(checker: _Checker) -> None:
    """The whole workbook is checked: its problems, or the writing stage begins."""
    if checker.error_count:
        raise LedgerInvalid(checker.errors, checker.error_count)
    plan = checker.plan
    checker.progress.stage(ImportStage.WRITING, {sheet: len(getattr(plan, SHEET_METHODS[sheet])) for sheet in SHEETS})
    # What only the check needed (every key of the workbook and of the system) makes room for the writing.
    checker.known_items = plan.items = plan.adoptions = {}


@contextmanager
def _atomic() -> Iterator[None]:
    """The import's transaction."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        # Someone changed the same facts through the site between the check and the write.
        raise LedgerInvalid([LedgerError("", None, "", "导入期间相关数据被他人修改，未导入任何数据，请重新导入。")]) from None


# ---------------------------------------------------------------- writing while checking (PostgreSQL)


def _check_while_writing(checker: _Checker, user) -> ImportResult:
    """On PostgreSQL the rows are written as they are checked, so the database server works on its own core while
    Python checks the rest: the check runs in a thread and hands over the rows of the two large sheets a chunk at
    a time; the writing (this thread) waits for what it needs. All in one transaction: at the first problem the
    writing stops, the check goes on to list them all, and nothing is kept. Progress is reported on a connection of
    its own (`_ReportedApart`), so the job's page follows it and a cancel reaches the check."""
    checking = _Checking(checker)
    try:
        with _atomic():
            with connection.cursor() as cursor:
                # Foreign keys checked as each statement ends, while the check goes on, rather than all at the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checking.start()
            return _write(checker.plan, user, checker.progress, checking.wait)
    except _Problems:
        checking.discard()
        checking.join()
        checking.raise_failure()
        raise LedgerInvalid(checker.errors, checker.error_count) from None
    finally:
        checking.abandon()
        if checking.is_alive():
            checking.join()


class _Problems(Exception):
    """The check found a problem: the writing stops."""


class _Stopped(Exception):
    """The writing failed: the check stops."""


class _Handover:
    """Checked rows of a sheet handed from the check to the writing a chunk at a time, two chunks at most
    waiting (memory stays bounded: the check waits when the writing is behind)."""

    def __init__(self, checker: _Checker) -> None:
        self.checker = checker
        self.queue: queue.Queue[list[tuple] | None] = queue.Queue(maxsize=2)
        self.buffer: list[tuple] = []
        self.state = "open"  # "discard": rows are dropped; "abandoned": the check stops
        self.ended = False

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_KEYS:
            self._put(self.buffer)
            self.buffer = []

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.buffer:
            self._put(self.buffer)
            self.buffer = []
        self._put(None)

    def _put(self, chunk: list[tuple] | None) -> None:
        while self.state == "open":
            try:
                self.queue.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue
        if self.state == "abandoned":
            raise _Stopped

    def chunks(self) -> Iterator[list[tuple]]:
        while (chunk := self.queue.get()) is not None:
            if self.checker.error_count:
                raise _Problems
            yield chunk


class _Checking(threading.Thread):
    """The check, in a thread beside the writing."""

    def __init__(self, checker: _Checker) -> None:
        super().__init__(name="ledger-check", daemon=True)
        self.checker = checker
        checker.plan.item_rows.close()
        checker.plan.adoption_rows.close()
        checker.plan.item_rows, checker.plan.adoption_rows = _Handover(checker), _Handover(checker)
        self.handovers = [checker.plan.item_rows, checker.plan.adoption_rows]
        self.passed: set[str] = set()
        self.over = False
        self.failure: BaseException | None = None
        self.changed = threading.Condition()

    def run(self) -> None:
        try:
            self.checker.check(self._passed)
        except _Stopped:
            pass
        except BaseException as failure:  # a cancel, a damaged sheet...: raised again in the writing's thread
            self.failure = failure
        finally:
            for handover in self.handovers:
                with suppress(_Stopped):
                    handover.end()
            with self.changed:
                self.over = True
                self.changed.notify_all()
            connections.close_all()  # this thread's own (the 基础工作 sheet reads rule sets)

    def _passed(self, sheet: str) -> None:
        if sheet == "报送":
            self.checker.plan.item_rows.end()
        elif sheet == "采用":
            self.checker.plan.adoption_rows.end()
        with self.changed:
            self.passed.add(sheet)
            self.changed.notify_all()

    def wait(self, sheet: str) -> None:
        """Until `sheet` is checked: stops the writing at a problem; the last sheet begins the writing stage."""
        with self.changed:
            self.changed.wait_for(lambda: sheet in self.passed or self.over)
        if sheet == LAST_SHEET:
            self.join()
        self.raise_failure()
        if self.checker.error_count:
            raise _Problems
        if sheet == LAST_SHEET:
            _writing_begins(self.checker)

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def discard(self) -> None:
        for handover in self.handovers:
            handover.state = "discard"
        for handover in self.handovers:  # let a check waiting to hand over go on
            with suppress(queue.Empty):
                while True:
                    handover.queue.get_nowait()

    def abandon(self) -> None:
        for handover in self.handovers:
            if handover.state == "open":
                handover.state = "abandoned"


class _ReportedApart(Progress):
    """Progress reported from a thread of its own, on that thread's own database connection: outside the import's
    transaction, so the job's page sees it and a cancel asked there reaches the import (`rows` raises it)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.reporter = ThreadPoolExecutor(1, thread_name_prefix="ledger-progress")

    def stage(self, stage: ImportStage, totals: dict[str, int | None]) -> None:
        self.reporter.submit(self.progress.stage, stage, totals).result()

    def rows(self, sheet: str, done: int) -> None:
        self.reporter.submit(self.progress.rows, sheet, done).result()

    def close(self) -> None:
        self.reporter.submit(connections.close_all).result()
        self.reporter.shutdown()


def _write(plan: _Plan, user, progress: Progress, checked: Callable[[str], None] | None = None) -> ImportResult:
    """Write the checked facts, in the caller's transaction. `checked(sheet)`, when the check runs beside the
    writing: waits until the check has passed `sheet`; until it is over, the writing reports no rows."""
    result, trail = ImportResult(progress=Progress() if checked else progress), _Trail(user)
    for sheet in SHEETS:
        result.summary[sheet] = {"created": 0, "updated": 0, "unchanged": 0}
    if checked:
        checked("专约")  # the units and requests the items name
    unit_ids = _write_units(plan, result, trail)
    request_ids = _write_requests(plan, unit_ids, user, result, trail)
    _write_items(plan, unit_ids, request_ids, user, result, trail)
    if result.summary["报送"]["created"] >= REFRESH_STATISTICS_AFTER:
        refresh_statistics(Submission)  # the adoptions look their items up by number
    _write_adoptions(plan, user, result, trail)
    if result.summary["采用"]["created"] >= REFRESH_STATISTICS_AFTER:
        refresh_statistics(Adoption)
    if checked:
        checked(LAST_SHEET)
        result.progress = progress
    _write_instructions(plan, user, result, trail)
    result.facts_moved = sync_fact_owners()  # a reloaded item may have moved to another unit or changed its joint units
    _write_failures(plan, unit_ids, user, result, trail)
    _write_basic(plan, unit_ids, user, result, trail)
    audit.record(
        EventKind.IMPORT,
        user=user,
        summary=(
            "台账导入："
            + "；".join(f"{s} 新增{c['created']} 更新{c['updated']} 未变{c['unchanged']}" for s, c in result.summary.items())
        )[:300],
    )
    progress.stage(ImportStage.REBUILDING, {})
    # Now, rather than on the first page that reads them; a reload that changed nothing changed no tally.
    if result.facts_moved or any(c["created"] or c["updated"] for c in result.summary.values()):
        rebuild_all_tallies()
    else:
        refresh_tallies()
    ledger_imported.send(sender=import_ledger, result=result)
    return result
