"""Backup and restore: the drill on whichever database the suite runs on (CI runs both), refusals, pruning.

The tests are transactional: a PostgreSQL dump shares a snapshot with its own transaction, and a restore replaces
the whole database, neither of which can happen inside a test's wrapping transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Role
from audit.models import AuditEvent
from bulletins.models import BulletinVersion
from bulletins.publishing import publish_bulletin
from operations.backup import archives, prune_archives, read_manifest, tables_with_data
from operations.health import migrations_pending, record_worker_heartbeat
from submissions import services
from tests.factories import make_adoption, make_scored_unit, make_submission, make_unit, make_user, shanghai

drill = pytest.mark.django_db(transaction=True)
YEAR = 2024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.MEDIA_ROOT


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def backup(tmp_path: Path) -> Path:
    run("backup", "--output", str(tmp_path / "backups"))
    return archives(tmp_path / "backups")[0].path


def make_year_of_data(media: Path) -> None:
    """Scores, a published bulletin, history records and a stored file."""
    admin = make_user(Role.ADMIN)
    unit = make_scored_unit("district", instructions=3, year=YEAR)
    make_scored_unit("county", instructions=1, year=YEAR)
    item = make_submission(unit, submitted_at=shanghai(YEAR, 3, 5), title="冰雪经济")
    make_adoption(item, adopted_on=dt.date(YEAR, 3, 9), level="province")
    services.mark_invalid(make_submission(unit, submitted_at=shanghai(YEAR, 3, 6)), "重复报送", user=admin)
    publish_bulletin(dt.date(YEAR, 3, 1), user=admin)
    (media / "ledgers").mkdir(parents=True)
    (media / "ledgers" / "台账2024.xlsx").write_bytes(b"PK\x03\x04 ledger bytes \x00\xff")


def state(media: Path) -> dict:
    return {
        "scores": json.loads(run("scores", "--year", str(YEAR))),
        "bulletins": list(BulletinVersion.objects.order_by("pk").values("month", "version", "number", "data")),
        "history": list(AuditEvent.objects.order_by("pk").values("model", "object_id", "kind", "changes", "username")),
        "files": {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()},
    }


@drill
def test_the_drill_data_backup_wipe_restore_gives_the_same_scores_bulletins_history_and_files(tmp_path, _media):
    make_year_of_data(_media)
    before = state(_media)
    assert before["history"] and before["bulletins"] and before["files"]
    archive = backup(tmp_path)

    call_command("flush", interactive=False)
    shutil.rmtree(_media)
    assert state(_media)["scores"] != before["scores"]

    output = run("restore", str(archive))
    assert "各表行数与清单一致" in output
    assert state(_media) == before


@drill
def test_the_manifest_names_versions_migrations_counts_and_a_hash_per_part(tmp_path, _media):
    make_year_of_data(_media)
    manifest = read_manifest(backup(tmp_path))
    assert manifest["database"] == connection.vendor
    assert "operations.0001_worker_heartbeat" in manifest["migrations"]
    assert manifest["row_counts"]["bulletins_bulletinversion"] == 1
    assert set(manifest["parts"]) == {"database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump",
                                      "media/ledgers/台账2024.xlsx"}
    assert all(len(digest) == 64 for digest in manifest["parts"].values())
    assert manifest["django"] and manifest["app_version"]
    assert archives(tmp_path / "backups")[0].path.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_a_backup_directory_inside_the_stored_files_is_refused(_media):
    with pytest.raises(CommandError, match="不能位于存储文件目录"):
        run("backup", "--output", str(_media / "backups"))


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with each member passed through change(name, data) -> data, or None to leave it out."""
    target = archive.with_name("changed-" + archive.name)
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
    return target


def newer_schema(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["migrations"].append("scoring.9999_from_the_future")
    return json.dumps(manifest).encode()


DAMAGES = {
    "a changed file": (lambda name, data: data + b"x" if name.startswith("media/") else data, "校验值与清单不符"),
    "a missing database": (lambda name, data: None if name.startswith("database") else data, "缺少“database"),
    "a missing manifest": (lambda name, data: None if name == "manifest.json" else data, "缺少清单"),
    "a foreign file": (lambda name, data: data if name != "manifest.json" else data.replace(b"media/", b"../"), "不允许"),
    "a newer schema": (newer_schema, "scoring.9999_from_the_future"),
}


@drill
def test_a_damaged_or_newer_archive_is_refused_and_nothing_changes(tmp_path, _media):
    unit = make_unit()
    (_media / "a.txt").parent.mkdir(parents=True)
    (_media / "a.txt").write_text("原件")
    archive = backup(tmp_path)
    unit.delete()
    for case, (change, message) in DAMAGES.items():
        with pytest.raises(CommandError, match=message):
            run("restore", str(rewrite(archive, change)), "--force", "--noinput")
        assert tables_with_data() == [], case
    run("restore", str(archive))
    assert tables_with_data() == ["units_unit"]


def as_older_code_made_it(archive: Path, tmp_path: Path) -> Path:
    """The archive as the code before operations 0001 would have written it (SQLite: the database file is edited)."""
    with tarfile.open(archive, "r:gz") as tar:
        (tmp_path / "old.sqlite3").write_bytes(tar.extractfile("database.sqlite3").read())
    old = sqlite3.connect(tmp_path / "old.sqlite3")
    old.execute("DROP TABLE operations_workerheartbeat")
    old.execute("DELETE FROM django_migrations WHERE app = 'operations'")
    old.commit()
    old.close()
    database = (tmp_path / "old.sqlite3").read_bytes()

    def change(name: str, data: bytes) -> bytes:
        if name == "database.sqlite3":
            return database
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].remove("operations.0001_worker_heartbeat")
        del manifest["row_counts"]["operations_workerheartbeat"]
        manifest["row_counts"]["django_migrations"] -= 1
        manifest["parts"]["database.sqlite3"] = hashlib.sha256(database).hexdigest()
        return json.dumps(manifest).encode()

    return rewrite(archive, change)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="edits a SQLite database file; the PostgreSQL run restores "
                    "the same way, through pg_restore, in the other tests")
@drill
def test_an_archive_of_an_older_schema_is_restored_and_migrated(tmp_path, _media):
    make_unit(name="道里区")
    archive = as_older_code_made_it(backup(tmp_path), tmp_path)
    call_command("flush", interactive=False)
    assert "升级数据库结构" in run("restore", str(archive))
    assert tables_with_data() == ["units_unit"]
    assert not migrations_pending()
    record_worker_heartbeat("worker-1")  # the table the older archive lacked exists again


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"not an archive at all", b"\x1f\x8b\x08\x00broken gzip"])
def test_a_file_that_is_no_archive_is_refused(tmp_path, content):
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="不是可读取的备份文件"):
        run("restore", str(path))
    with pytest.raises(CommandError, match="不是可读取的备份文件"):
        run("restore", str(tmp_path / "missing.tar.gz"))


@pytest.mark.django_db
def test_a_freshly_migrated_database_counts_as_empty():
    # Data migrations seed some tables; a restore must still go into a database that only `migrate` has touched.
    assert tables_with_data() == []
    make_unit()
    assert tables_with_data() == ["units_unit"]


@drill
def test_restore_over_data_needs_force_and_a_typed_yes(tmp_path, _media):
    make_year_of_data(_media)
    before = state(_media)
    archive = backup(tmp_path)
    make_unit(name="备份之后新增")

    with pytest.raises(CommandError, match="当前数据库已有数据.*--force"):
        run("restore", str(archive))
    with mock.patch("builtins.input", return_value="no"), pytest.raises(CommandError, match="已取消"):
        run("restore", str(archive), "--force")
    assert state(_media) == before | {"scores": state(_media)["scores"]}  # nothing restored, the new unit stays

    with mock.patch("builtins.input", return_value="yes"):
        run("restore", str(archive), "--force")
    assert state(_media) == before


@drill
def test_noinput_restores_over_data_for_scripts(tmp_path, _media):
    make_year_of_data(_media)
    before = state(_media)
    archive = backup(tmp_path)
    services.mark_invalid(make_submission(make_unit()), "之后的改动", user=None)
    with mock.patch("builtins.input", side_effect=AssertionError("must not ask")):
        run("restore", str(archive), "--force", "--noinput")
    assert state(_media) == before


def test_old_archives_are_pruned_by_age_and_count(tmp_path):
    now = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
    for days in (0, 1, 2, 3, 10, 40):
        (tmp_path / f"infoassess-{now - dt.timedelta(days=days):%Y%m%dT%H%M%SZ}.tar.gz").touch()
    (tmp_path / "notes.txt").touch()

    removed = prune_archives(tmp_path, now, keep_days=30, keep_count=4)
    assert sorted(p.name for p in removed) == ["infoassess-20261021T030000Z.tar.gz", "infoassess-20261120T030000Z.tar.gz"]
    assert [a.created_at.day for a in archives(tmp_path)] == [30, 29, 28, 27]
    assert (tmp_path / "notes.txt").exists()

    # The newest archive stays even when everything is older than the limit.
    removed = prune_archives(tmp_path, now + dt.timedelta(days=100), keep_days=30, keep_count=4)
    assert [a.created_at.day for a in archives(tmp_path)] == [30]
