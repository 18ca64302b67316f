"""Operations on real archives, on both backends: backup -> restore gives the same archive; a
damaged backup is refused before anything is written; check finds realistic damage, --repair
fixes what can be fixed and names what cannot."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.store import open_store
from communique.store.sqlite import MIGRATIONS
from communique.structure.document import PARSER_VERSION

from .conftest import (
    KREMLIN_HTML,
    SEARCH_INPUTS,
    data_dir_of,
    db_options,
    index_dir_of,
    ingest_into,
    new_target,
    open_archive,
    rows_of,
    spawn,
    stop_process,
)
from .pgserver import database_of

runner = CliRunner()
# documents of SEARCH_INPUTS named in conftest (from reading the pages)
BLOOMBERG = "kremlin-en-52830"  # Putin to Bloomberg, 2016-09-05
MEETING = "kremlin-en-54071"  # a meeting, 2017-03-20
GENG_SHUANG = "fmprc-zh-t1417538"  # 耿爽's press conference, 2016-11-22
# 6 pages + 7 rows (4 ru + 3 en) of the Lavrov table, one raw input each; rows 3 and 4 are two
# parts of one interview (one URL), joined into one document
RAW_INPUTS = 13
DOCUMENTS = 12
QUERIES = ["Bloomberg", "Kazakhstan", "Украина", "press", "黄岩岛"]  # 黄岩岛: in a question to 耿爽


@pytest.fixture
def archive(archive_target: str) -> str:
    """The search inputs in this test's own archive, with its index built."""
    ingest_into(archive_target, SEARCH_INPUTS)
    open_archive(archive_target).close()
    return archive_target


def second_target(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    folder = tmp_path / "second"
    folder.mkdir()
    return new_target(request, backend, folder)


def store_of(target: str):  # -> SQLStore, with the target's own data dir
    return open_store(target, data_dir=data_dir_of(target))


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def payload_of(backup: Path) -> tarfile.TarInfo:
    with tarfile.open(backup) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        return tar.getmember(manifest["payload"])


def everything(target: str) -> dict[str, object]:
    """Every document's record and every raw input's hash, as the store holds them."""
    store = store_of(target)
    try:
        docs = {i: store.get(i).to_dict() for i in store.doc_ids()}  # type: ignore[union-attr]
        raws = [r["sha256"] for r in store.rows("SELECT sha256 FROM raw_inputs ORDER BY 1")]
    finally:
        store.close()
    return {"documents": docs, "raw": raws}


def searches(target: str) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    with open_archive(target) as a:
        out = {}
        for q in QUERIES:
            res = a.search(q, limit=20, sort="oldest")
            out[q] = (res.total, [(h.doc_id, h.n) for h in res.hits])
        return out


def tables_in(request: pytest.FixtureRequest, target: str) -> int:
    """Tables in a PostgreSQL database, read without opening (and so migrating) a store."""
    server = request.getfixturevalue("pg_server")
    return int(
        server.sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            database_of(target),
        )
    )


# -- backup and restore -----------------------------------------------------------------------


def test_backup_then_restore_gives_the_same_archive(
    request: pytest.FixtureRequest, backend: str, archive: str, tmp_path: Path
) -> None:
    backup = tmp_path / "archive.bak"
    code, output = invoke("backup", str(backup), *db_options(archive))
    assert code == 0, output
    assert f"backed up {DOCUMENTS} documents" in output

    with tarfile.open(backup) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        payload = tar.extractfile(manifest["payload"]).read()  # type: ignore[union-attr]
    assert manifest["backend"] == backend
    assert manifest["schema_version"] == len(MIGRATIONS)
    assert manifest["counts"]["documents"] == DOCUMENTS
    assert manifest["counts"]["raw_inputs"] == RAW_INPUTS
    turns = rows_of(archive, "SELECT count(*) AS n FROM turns")[0]["n"]
    assert manifest["counts"]["turns"] == turns
    assert manifest["payload_sha256"] == hashlib.sha256(payload).hexdigest()
    assert manifest["created"].endswith("Z") and manifest["source"]
    assert "password" not in manifest["source"]

    target = second_target(request, backend, tmp_path)
    store_of(target).close()  # an archive that exists (migrated) but holds nothing yet
    code, output = invoke("restore", str(backup), *db_options(target))
    assert code == 0, output
    assert index_dir_of(target).is_dir()  # rebuilt: derived files are not in the backup

    assert everything(target) == everything(archive)
    before, after = searches(archive), searches(target)
    assert after == before
    assert after["Bloomberg"][0] > 0 and {d for d, _ in after["Bloomberg"][1]} == {BLOOMBERG}
    assert {d for d, _ in after["黄岩岛"][1]} == {GENG_SHUANG}

    # an archive that holds documents is replaced only with --force
    code, output = invoke("restore", str(backup), *db_options(target))
    assert code == 1
    assert f"already holds {DOCUMENTS} documents" in output and "--force" in output
    code, output = invoke("restore", str(backup), *db_options(target), "--force")
    assert code == 0, output
    assert "replaced" in output
    code, output = invoke("check", *db_options(target))
    assert code == 0, output


def test_a_damaged_backup_is_refused_and_nothing_is_written(
    request: pytest.FixtureRequest, backend: str, archive: str, tmp_path: Path
) -> None:
    backup = tmp_path / "archive.bak"
    assert invoke("backup", str(backup), *db_options(archive))[0] == 0
    data = bytearray(backup.read_bytes())
    member = payload_of(backup)
    damaged = tmp_path / "damaged.bak"
    data[member.offset_data + member.size // 2] ^= 0x01  # one bit of the payload
    damaged.write_bytes(data)
    truncated = tmp_path / "truncated.bak"
    truncated.write_bytes(data[: member.offset_data + member.size // 3])

    target = second_target(request, backend, tmp_path)
    for path, says in (
        (damaged, "sha256 is not the one its manifest recorded"),
        (truncated, "damaged"),
        (SEARCH_INPUTS[0], "not a communique backup"),
        (tmp_path / "missing.bak", "no backup file at"),
    ):
        code, output = invoke("restore", str(path), *db_options(target))
        assert code == 1, output
        assert says in " ".join(output.split()), output
    if backend == "sqlite":
        assert sorted(p.name for p in Path(target).parent.iterdir()) == []
    else:
        assert tables_in(request, target) == 0
        assert not any(data_dir_of(target).iterdir())  # type: ignore[union-attr]

    # the other backend's kind of target is refused before it is touched
    other = (
        "postgresql://nobody@127.0.0.1:9/none" if backend == "sqlite" else str(tmp_path / "x.db")
    )
    code, output = invoke("restore", str(backup), "--db", other)
    assert code == 1
    kind = "SQLite" if backend == "sqlite" else "PostgreSQL"
    assert f"this is a backup of a {kind} archive" in " ".join(output.split())
    assert not (tmp_path / "x.db").exists()


# -- check and repair -------------------------------------------------------------------------


def damage(target: str, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Change the store behind its back (as a crash, a bad disk or a careless hand would):
    foreign keys not enforced, no change-log entry."""
    store = store_of(target)
    try:
        if target.startswith("postgresql://"):
            store.query("SET session_replication_role = replica")  # FK triggers off
        else:
            store.query("PRAGMA foreign_keys = OFF")
        for sql, args in statements:
            store.query(sql, args)
    finally:
        store.close()


def findings(target: str, *extra: str) -> tuple[int, dict[str, dict[str, object]]]:
    code, output = invoke("check", *db_options(target), "--json", *extra)
    report = json.loads(output)
    return code, {f["code"]: f for f in report["findings"]}


def test_check_is_clean_then_reports_damage_and_repair_fixes_all_but_a_lost_raw_input(
    archive: str, tmp_path: Path
) -> None:
    code, output = invoke("check", *db_options(archive))
    assert code == 0, output
    assert f"archive OK ({RAW_INPUTS} raw inputs, {DOCUMENTS} documents" in output

    raw_of = rows_of(
        archive, "SELECT raw_sha256 AS sha FROM documents WHERE id = ?", (GENG_SHUANG,)
    )
    bloomberg_turns = rows_of(archive, "SELECT count(*) AS n FROM turns WHERE doc_id = ?",
                              (BLOOMBERG,))[0]["n"]  # fmt: skip
    assert bloomberg_turns > 100  # a long interview
    index = index_dir_of(archive)
    store = store_of(archive)
    analysis, last = store.paths.analysis, store.last_change()
    store.close()
    (white_house,) = rows_of(archive, "SELECT id, (SELECT count(*) FROM turns t WHERE "
                             "t.doc_id = d.id) AS turns FROM documents d WHERE publisher "
                             "LIKE '%whitehouse%'")  # fmt: skip
    damage(
        archive,
        ("DELETE FROM turns WHERE doc_id = ?", (BLOOMBERG,)),
        ("UPDATE documents SET parser_version = '2020.01.01' WHERE id = ?", (MEETING,)),
        ("DELETE FROM raw_inputs WHERE sha256 = ?", (raw_of[0]["sha"],)),
        # a document gone while the ingest log still names it (its raw input is kept)
        ("DELETE FROM turns WHERE doc_id = ?", (white_house["id"],)),
        ("DELETE FROM origins WHERE doc_id = ?", (white_house["id"],)),
        ("DELETE FROM documents WHERE id = ?", (white_house["id"],)),
    )

    shutil.rmtree(index)
    leftover = index.with_name(index.name + ".tmp-4194305")  # beyond any pid: its process is gone
    leftover.mkdir()
    cache = sqlite3.connect(analysis)  # an analysis cache built from another copy of the archive
    cache.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    cache.execute("INSERT INTO meta VALUES ('seq', ?)", (str(last + 1000),))
    cache.commit()
    cache.close()

    code, found = findings(archive)
    assert code == 1
    assert set(found) == {"turns-mismatch", "parser-stale", "raw-missing", "index-missing",
                          "leftovers", "analysis-ahead", "path-dangling"}  # fmt: skip
    assert found["path-dangling"]["doc_ids"] == [white_house["id"]]
    assert found["turns-mismatch"]["doc_ids"] == [BLOOMBERG]
    assert found["parser-stale"]["doc_ids"] == [MEETING]
    assert found["raw-missing"]["doc_ids"] == [GENG_SHUANG]
    assert found["raw-missing"]["repairable"] is False
    assert all(f["action"] for f in found.values())
    code, output = invoke("check", *db_options(archive))
    assert code == 1
    text = " ".join(output.split())
    assert "cannot be recreated" in text and GENG_SHUANG in text and "2020.01.01" in text

    code, output = invoke("check", *db_options(archive), "--repair")
    assert code == 1, output  # the raw input stays lost
    assert "repaired:" in output and "1 problem remains" in output

    code, found = findings(archive)
    assert code == 1
    assert set(found) == {"raw-missing"}
    assert found["raw-missing"]["doc_ids"] == [GENG_SHUANG]
    turns = rows_of(archive, "SELECT count(*) AS n FROM turns WHERE doc_id = ?", (BLOOMBERG,))
    assert turns[0]["n"] == bloomberg_turns
    version = rows_of(archive, "SELECT parser_version AS v FROM documents WHERE id = ?", (MEETING,))
    assert version[0]["v"] == PARSER_VERSION
    again = rows_of(archive, "SELECT count(*) AS n FROM turns WHERE doc_id = ?",
                    (white_house["id"],))  # fmt: skip
    assert again[0]["n"] == white_house["turns"] > 0
    assert index.is_dir() and not leftover.exists() and not analysis.exists()
    with open_archive(archive) as a:  # the reparsed interview is found again
        assert {h.doc_id for h in a.search("Bloomberg", limit=5).hits} == {BLOOMBERG}


def test_backups_taken_while_another_process_ingests_are_consistent(
    request: pytest.FixtureRequest, backend: str, archive: str, tmp_path: Path
) -> None:
    """An ingest of the whole Kremlin folder runs in another process while two backups are
    taken: each restores (its counts checked against its manifest) into an archive that checks
    clean, and the later one holds more."""
    import sys
    import time

    def documents() -> int:
        return int(rows_of(archive, "SELECT count(*) AS n FROM documents")[0]["n"])

    cmd = [sys.executable, "-m", "communique.cli", "ingest", str(KREMLIN_HTML),
           *db_options(archive), "--workers", "2", "-q"]  # fmt: skip
    writer = spawn(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifests = []
    try:
        for n in (1, 2):
            # the first once the ingest has written some, the second once it has written more
            more_than = manifests[0]["counts"]["documents"] if manifests else DOCUMENTS
            deadline = time.monotonic() + 60
            while documents() <= more_than and time.monotonic() < deadline:
                time.sleep(0.05)
            backup = tmp_path / f"during-{n}.bak"
            code, output = invoke("backup", str(backup), *db_options(archive))
            assert code == 0, output
            with tarfile.open(backup) as tar:
                manifests.append(json.loads(tar.extractfile("manifest.json").read()))  # type: ignore[union-attr]
        assert writer.poll() is None, "the ingest ended before the backups: nothing was tested"
    finally:
        stop_process(writer)  # the ingest and its pool workers, even when an assert failed
    assert writer.returncode is not None
    first, second = (m["counts"]["documents"] for m in manifests)
    assert DOCUMENTS < first < second
    for n, manifest in enumerate(manifests, start=1):
        folder = tmp_path / f"restored-{n}"
        folder.mkdir()
        target = new_target(request, backend, folder)
        code, output = invoke("restore", str(tmp_path / f"during-{n}.bak"), *db_options(target))
        assert code == 0, output
        assert (
            rows_of(target, "SELECT count(*) AS n FROM documents")[0]["n"]
            == (manifest["counts"]["documents"])
        )
        code, output = invoke("check", *db_options(target))
        assert code == 0, output


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "stat").read_text().rsplit(")", 1)[1].split()[
                1
            ] == str(pid):
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def test_an_ingest_stopped_by_a_signal_leaves_no_pool_workers(archive: str) -> None:
    """SIGTERM to an ingest with a pool (as a service manager or a test stops it): its workers
    end too, rather than wait for work forever."""
    import os
    import signal
    import sys
    import time

    cmd = [sys.executable, "-m", "communique.cli", "ingest", str(KREMLIN_HTML),
           *db_options(archive), "--workers", "2", "-q"]  # fmt: skip
    writer = spawn(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(children_of(writer.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = children_of(writer.pid)
        assert len(workers) >= 2, "the ingest started no pool"
        assert writer.poll() is None, "the ingest ended before it could be stopped"
        os.kill(writer.pid, signal.SIGTERM)  # the ingest alone, not its process group
        writer.wait(30)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
        assert left == [], f"pool workers still running after their ingest: {left}"
    finally:
        stop_process(writer)
