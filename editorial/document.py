"""A published issue as a Word document in the official layout (GB/T 9704 style: A4, red masthead)."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.dates import cn_date
from editorial.models import Issue, IssueItem

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
MASTHEAD_FONT = "方正小标宋简体"


def _run(paragraph, text: str, font: str, size: float, bold: bool = False, color: RGBColor | None = None):
    run = paragraph.add_run(text)
    run.font.name = font
    # Word picks the East Asian font from w:eastAsia, which python-docx's font.name leaves unset.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def _paragraph(document, text: str = "", *, font: str = BODY_FONT, size: float = 16, align=None, bold: bool = False,
               color: RGBColor | None = None, indent: bool = False):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _run(paragraph, text, font, size, bold, color)
    return paragraph


def unit_attribution(entry: IssueItem) -> str:
    """（道里区政府办公室报送）: the item's unit and, for a joint item, all its units."""
    units = [entry.submission.unit.name, *(j.unit.name for j in entry.submission.joint_units.all())]
    return f"（{'、'.join(units)}报送）"


def issue_docx(issue: Issue, entries: list[IssueItem]) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    _paragraph(document, issue.carrier.name, font=MASTHEAD_FONT, size=36, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    _paragraph(document, f"{issue.year}年第{issue.number}期（总第{issue.total_number}期）", size=16,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"哈尔滨市人民政府办公厅　　　　{cn_date(issue.issued_on)}", size=16,
               align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    if issue.editor_note:
        note = _paragraph(document, indent=True)
        _run(note, "编者按：", TITLE_FONT, 16)
        _run(note, issue.editor_note, "楷体_GB2312", 16)
    for entry in entries:
        _paragraph(document, entry.title, font=TITLE_FONT, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
        for line in entry.body.splitlines():
            if line.strip():
                _paragraph(document, line.strip(), indent=True)
        _paragraph(document, unit_attribution(entry), align=WD_ALIGN_PARAGRAPH.RIGHT)
    closing = _paragraph(document, f"责任编辑：{issue.responsible_editor}　　　　签发：{issue.signed_by}", size=14)
    closing.paragraph_format.space_before = Pt(24)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
