"""The ledger upload page for office staff (INTERFACES.md, loading)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import ImportJob, ImportStatus
from submissions.models import Submission
from tests.ledger_builder import INVALID_LEDGER, ledger_bytes
from units.models import Unit

pytestmark = pytest.mark.django_db
URL = "scoring:import"

GOOD = {
    "单位": [{"单位名称": "道里区", "序列": "区政府"}, {"单位名称": "南岗区", "序列": "区政府"}],
    "报送": [
        {"信息编号": "DL-001", "单位名称": "道里区", "标题": "春耕", "报送时间": "2024-03-01 09:00", "信息类型": "一般动态"},
        {"信息编号": "NG-001", "单位名称": "南岗区", "标题": "供暖", "报送时间": "2024-03-02 10:00", "信息类型": "紧急重要"},
    ],
}


def _upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 200), ("officer_a", 403), ("officer_b", 403), ("viewer", 403), ("anonymous", 302)],
)
def test_import_page_is_for_office_staff(client, personas, run_tasks, persona, status):
    if personas[persona]:
        client.force_login(personas[persona])
    assert client.get(reverse(URL)).status_code == status
    response = client.post(reverse(URL), {"file": _upload(ledger_bytes(GOOD))})
    assert response.status_code == (302 if status == 200 else status)
    assert ImportJob.objects.exists() == (status == 200)
    run_tasks()
    assert Submission.objects.exists() == (status == 200)


def test_upload_queues_a_job_and_the_worker_shows_the_summary_per_sheet(client, personas, run_tasks):
    client.force_login(personas["staff"])
    response = client.post(reverse(URL), {"file": _upload(ledger_bytes(GOOD))})
    job = ImportJob.objects.get()
    assert response.url == reverse("scoring:import_job", args=[job.pk])
    assert job.status == ImportStatus.QUEUED and not Submission.objects.exists()  # nothing done in the request
    html = client.get(response.url).content.decode()
    assert "排队中" in html and "取消导入" in html

    assert run_tasks() == 1
    response = client.get(response.url)
    html = response.content.decode()
    assert "台账导入成功" in html and "取消导入" not in html
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.summary["单位"]["created"] == 2 and job.summary["报送"]["created"] == 2
    assert "<td>报送</td><td class=\"num\">2</td>" in html
    assert Submission.objects.get(ledger_no="DL-001").created_by == personas["staff"]

    client.post(reverse(URL), {"file": _upload(ledger_bytes(GOOD))})
    run_tasks()
    assert ImportJob.objects.first().summary["报送"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert Unit.objects.count() == 2 + 2  # the ledger's units and the officers' units of the personas


def test_invalid_ledger_lists_every_error_and_writes_nothing(client, personas, run_tasks):
    client.force_login(personas["staff"])
    units_before = Unit.objects.count()
    job_url = client.post(reverse(URL), {"file": _upload(ledger_bytes(INVALID_LEDGER))}).url
    run_tasks()
    response = client.get(job_url)
    html = response.content.decode()
    problems = response.context["job"].problems
    assert {(p["sheet"], p["row"], p["column"], p["value"]) for p in problems} >= {
        ("报送", 3, "单位名称", "不存在区"),
        ("报送", 4, "信息类型", "小道消息"),
    }
    assert "<th>工作表</th><th class=\"num\">行</th><th>列</th><th>值</th><th>问题</th>" in html
    for p in problems:
        assert p["message"] in html
    assert "未导入任何数据" in html and "下载问题清单" in html and "重新导入" in html
    assert not Submission.objects.exists() and Unit.objects.count() == units_before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("台账.csv", "单位名称,序列\n道里区,区政府\n".encode(), "只能导入 .xlsx 格式的台账文件"),
        ("台账.xls", b"\xd0\xcf\x11\xe0", "只能导入 .xlsx 格式的台账文件"),
        ("台账.xlsx", b"", "上传的文件是空的"),
    ],
)
def test_upload_form_refuses_other_files_in_chinese(client, personas, name, content, message):
    client.force_login(personas["staff"])
    response = client.post(reverse(URL), {"file": _upload(content, name)})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Unit.objects.filter(name="道里区").exists() and not ImportJob.objects.exists()


def test_upload_without_a_file(client, personas):
    client.force_login(personas["staff"])
    response = client.post(reverse(URL), {})
    assert "请选择要导入的台账文件" in response.content.decode()


def test_upload_over_the_size_limit_is_refused(client, personas, settings):
    settings.LEDGER_UPLOAD_MAX_BYTES = 1024
    client.force_login(personas["staff"])
    content = ledger_bytes(GOOD)
    assert len(content) > 1024
    response = client.post(reverse(URL), {"file": _upload(content)})
    assert "上传的台账不能超过" in " ".join(response.context["form"].errors["file"])
    assert not Submission.objects.exists() and not ImportJob.objects.exists()


def test_a_renamed_csv_is_an_invalid_workbook(client, personas, run_tasks):
    client.force_login(personas["staff"])
    response = client.post(reverse(URL), {"file": _upload("单位名称,序列\n道里区,区政府\n".encode(), "台账.xlsx")})
    run_tasks()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "不是有效的 xlsx" in job.problems[0]["message"]
    assert "未导入任何数据" in client.get(response.url).content.decode()
    assert not Unit.objects.filter(name="道里区").exists()
