"""Every download goes through exports.download: a Chinese file name as the office would save it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from exports import download


@pytest.mark.parametrize(("name", "content_type"), [
    ("2026年1-11月考核排名.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("2024年度先进单位名单（第1版）.csv", "text/csv; charset=utf-8"),
])
def test_download_names_the_file_in_chinese(name, content_type):
    response = download(b"data", name)
    assert response["Content-Type"] == content_type and response.content == b"data"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
