"""The lines of the staff's live preview, rendered as little as the data allows.

The preview is rendered once per state of the data (bulletins.views), and after a write most of its lines are
as they were: on a large year 1,000 units' rows and 5,000 adopted items, nearly all of them in the bureaus'
sequence (so keeping whole sequences would keep little). Each line's HTML is kept by everything it shows, and
only new lines are rendered; published versions are rendered once and do not use it.
"""

from __future__ import annotations

from dataclasses import replace

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from bulletins.notice import DirectoryEntry, Notice, NoticeRow

# Two months' previews (6,000 lines each on a large year), about 2 MB.
LINES_KEPT = 20_000
_lines: dict[tuple, SafeString] = {}


def with_rendered_lines(notice: Notice) -> Notice:
    """The notice with each table's rows and each catalogue's entries rendered (`rows_html`)."""
    tables = [replace(table, rows_html=_joined(_row(row) for row in table.rows)) for table in notice.tables]
    catalogues = [replace(catalogue, rows_html=_joined(_entry(entry) for entry in catalogue.entries))
                  for catalogue in notice.catalogues]
    return replace(notice, tables=tables, catalogues=catalogues)


def _row(row: NoticeRow) -> SafeString:
    return _line(("row", row.unit, row.unit_id, row.rank, tuple(row.figures)), "bulletins/_notice_row.html", {"row": row})


def _entry(entry: DirectoryEntry) -> SafeString:
    return _line(("entry", entry), "bulletins/_catalogue_row.html", {"entry": entry})


def _line(key: tuple, template: str, context: dict) -> SafeString:
    html = _lines.get(key)
    if html is None:
        if len(_lines) >= LINES_KEPT:
            _lines.clear()
        html = _lines[key] = mark_safe(render_to_string(template, context))  # noqa: S308 - escaped by the template
    return html


def _joined(parts) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - each part rendered by a template, escaped there
