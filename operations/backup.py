"""Backup archives: one consistent copy of the database and the stored files, with a manifest to check it by.

An archive is a gzipped tar named infoassess-<UTC time>.tar.gz holding
- database.sqlite3 (SQLite's online backup API: a consistent copy while the site keeps writing) or
  database.pgdump (pg_dump's custom format, taken in the same snapshot the row counts are read in),
- media/…: every file under MEDIA_ROOT,
- manifest.json, written last: versions, the migrations applied, row counts per table, SHA-256 of each part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from operations.versions import code_version

MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
NAME_PREFIX, NAME_SUFFIX = "infoassess-", ".tar.gz"
NAME_TIME = "%Y%m%dT%H%M%SZ"
DATABASE_PARTS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Tables `migrate` fills by itself: a database with rows only in these is still empty. Data migrations: scoring 0002
# creates the 2008 rule set, submissions 0004 marks every unit's tallies stale, editorial 0001 lists the carriers,
# units 0004 sets the data version.
WRITTEN_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission", "scoring_ruleset",
                      "submissions_staletally", "editorial_carrier", "units_dataversion"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


@dataclass(frozen=True)
class Archive:
    path: Path
    created_at: dt.datetime


def archive_name(when: dt.datetime) -> str:
    return f"{NAME_PREFIX}{when.astimezone(dt.UTC).strftime(NAME_TIME)}{NAME_SUFFIX}"


def archives(directory: Path) -> list[Archive]:
    """The backup archives in a directory, newest first (their time is in their name)."""
    found = []
    for path in directory.glob(f"{NAME_PREFIX}*{NAME_SUFFIX}") if directory.is_dir() else ():
        stamp = path.name[len(NAME_PREFIX):-len(NAME_SUFFIX)]
        try:
            found.append(Archive(path, dt.datetime.strptime(stamp, NAME_TIME).replace(tzinfo=dt.UTC)))
        except ValueError:
            continue
    return sorted(found, key=lambda a: a.created_at, reverse=True)


def latest_archive(directory: Path) -> Archive | None:
    return next(iter(archives(directory)), None)


# --- writing -----------------------------------------------------------------------------------------------------


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that went into the archive."""

    def __init__(self, file: io.BufferedReader) -> None:
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> str:
    info = tar.gettarinfo(path, arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def _row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_sqlite(target: Path) -> tuple[list[str], dict[str, int]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # Read from the copy: the migrations and counts of exactly what was saved.
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        return migrations, _row_counts(cursor, tables)
    finally:
        copy.close()


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME")}
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _pg_tool(args: list[str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}：请安装与数据库服务器同一主版本的 postgresql-client。")
    result = subprocess.run(args, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{result.stderr.strip()}")


def _dump_postgresql(target: Path) -> tuple[list[str], dict[str, int]]:
    # pg_dump joins this transaction's snapshot: the dump, the migrations and the counts show one moment.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        migrations = [f"{app}.{name}" for app, name in MigrationRecorder.Migration.objects.order_by("id")
                      .values_list("app", "name")]
        counts = _row_counts(cursor, connection.introspection.table_names(cursor))
        _pg_tool(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
    return migrations, counts


def create_backup(directory: Path, now: dt.datetime) -> Path:
    """Write one archive of the database and MEDIA_ROOT into `directory`; only a complete archive gets its name."""
    vendor = connection.vendor
    if vendor not in DATABASE_PARTS:
        raise BackupError(f"不支持备份 {vendor} 数据库。")
    media = Path(settings.MEDIA_ROOT).resolve()
    if directory.resolve().is_relative_to(media):
        raise BackupError(f"备份目录“{directory}”不能位于存储文件目录 MEDIA_ROOT 之内（备份会包含以前的备份）。")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / archive_name(now)
    if target.exists():
        raise BackupError(f"备份文件“{target}”已存在，请稍后再试。")
    partial = target.with_name(target.name + ".partial")
    try:
        partial.touch(mode=0o600)  # the archive holds every account's password hash: for its owner only
        with tempfile.TemporaryDirectory(dir=directory) as work:
            database = Path(work) / DATABASE_PARTS[vendor]
            migrations, counts = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(database)
            with tarfile.open(partial, "w:gz") as tar:
                parts = {database.name: _add_file(tar, database, database.name)}
                for path in sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else ():
                    name = MEDIA_PREFIX + path.relative_to(media).as_posix()
                    parts[name] = _add_file(tar, path, name)
                manifest = {
                    "created_at": now.isoformat(), "app_version": code_version(), "django": django.get_version(),
                    "database": vendor, "migrations": migrations, "row_counts": counts, "parts": parts,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def prune_archives(directory: Path, now: dt.datetime, keep_days: int, keep_count: int) -> list[Path]:
    """Delete archives beyond the newest `keep_count` or older than `keep_days`; the newest one always stays."""
    removed = []
    for index, archive in enumerate(archives(directory)):
        too_many = index >= keep_count
        too_old = now - archive.created_at > dt.timedelta(days=keep_days)
        if index > 0 and (too_many or too_old):
            archive.path.unlink()
            removed.append(archive.path)
    return removed


# --- checking and restoring --------------------------------------------------------------------------------------


def _safe_media_name(name: str) -> bool:
    path = PurePosixPath(name)
    return name.startswith(MEDIA_PREFIX) and not path.is_absolute() and ".." not in path.parts and len(path.parts) > 1


def _sha256(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    digest = hashlib.sha256()
    try:
        with tar.extractfile(member) as part:
            while chunk := part.read(1 << 20):
                digest.update(chunk)
    except (OSError, tarfile.TarError, EOFError):
        raise BackupError(f"备份文件已损坏：无法读取“{member.name}”。") from None
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest once every part is present, unchanged and belongs to this code's schema."""
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError):
        raise BackupError(f"“{path}”不是可读取的备份文件（应为 backup 命令生成的 .tar.gz 归档）。") from None
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers()}
            manifest = json.load(tar.extractfile(members[MANIFEST]))
            parts: dict[str, str] = manifest["parts"]
            vendor: str = manifest["database"]
            database = DATABASE_PARTS[vendor]
        except KeyError:
            raise BackupError("备份文件缺少清单（manifest.json）或清单不完整，无法恢复。") from None
        except (OSError, tarfile.TarError, EOFError, ValueError):
            raise BackupError("备份文件已损坏，无法读取清单。") from None
        refused = sorted(set(members) - set(parts) - {MANIFEST}) + [
            name for name in parts if name != database and not _safe_media_name(name)]
        if refused:
            raise BackupError(f"备份文件含有清单之外或不允许的内容：{'、'.join(refused)}。")
        for name, expected in parts.items():
            member = members.get(name)
            if member is None or not member.isfile():
                raise BackupError(f"备份文件不完整：缺少“{name}”。")
            if _sha256(tar, member) != expected:
                raise BackupError(f"备份文件已损坏：“{name}”的校验值与清单不符。")
    if vendor != connection.vendor:
        raise BackupError(f"这是 {VENDOR_NAMES[vendor]} 数据库的备份，不能恢复到当前的 "
                          f"{VENDOR_NAMES.get(connection.vendor, connection.vendor)} 数据库。")
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    newer = [m for m in manifest["migrations"] if m not in known]
    if newer:
        raise BackupError(f"备份的数据库结构比当前程序新（本程序没有这些迁移：{'、'.join(newer)}），"
                          "请先部署生成该备份的程序版本或更新版本，再恢复。")
    return manifest


def tables_with_data() -> list[str]:
    """Tables holding rows that `migrate` did not write itself: a restore would overwrite them."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t not in WRITTEN_BY_MIGRATE]
        return [table for table, count in _row_counts(cursor, tables).items() if count]


def _load_sqlite(database: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(database)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _load_postgresql(database: Path) -> None:
    # One transaction drops every table (one the archive lacks, from a newer migration, would block `migrate`
    # afterwards) and loads the dump: a restore that fails leaves the database as it was.
    script = database.with_suffix(".sql")
    _pg_tool(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(database)])
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    drop = ["--command", f"DROP TABLE {', '.join(connection.ops.quote_name(t) for t in tables)} CASCADE"] if tables else []
    _pg_tool(["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction", *drop, f"--file={script}"])


def restore_archive(path: Path, manifest: dict[str, Any]) -> None:
    """Replace the database with the archive's and write its files into MEDIA_ROOT, then compare the row counts
    with the manifest. The caller has read the manifest (read_manifest) and decided the database may be replaced."""
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "r:gz") as tar, tempfile.TemporaryDirectory() as work:
        database = Path(work) / DATABASE_PARTS[manifest["database"]]
        with tar.extractfile(database.name) as source, database.open("wb") as target:
            shutil.copyfileobj(source, target)
        (_load_sqlite if manifest["database"] == "sqlite" else _load_postgresql)(database)
        ContentType.objects.clear_cache()
        for name in manifest["parts"]:
            if name.startswith(MEDIA_PREFIX):
                target_path = media / name[len(MEDIA_PREFIX):]
                target_path.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(name) as source, target_path.open("wb") as target:
                    shutil.copyfileobj(source, target)
    with connection.cursor() as cursor:
        counts = _row_counts(cursor, list(manifest["row_counts"]))
    wrong = [f"{t}（清单 {n} 行，恢复后 {counts[t]} 行）" for t, n in manifest["row_counts"].items() if counts[t] != n]
    if wrong:
        raise BackupError(f"恢复后的行数与清单不符：{'；'.join(wrong)}。")
