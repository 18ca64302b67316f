"""A full disk (issue 18), on a real small file system: a tmpfs mounted for the test (the
tests run as root, here and in CI). A full disk during the store's write and during the index
build says "disk full", exits 3, and leaves the archive consistent and the index usable or
rebuilt by the next command; with space again, the same command completes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import CORPUS, spawn, stop_process

KREMLIN = CORPUS / "kremlin_en" / "html"
PAGES = sorted(KREMLIN.glob("*.html.gz"))
FIRST, MORE = PAGES[10:40], PAGES[40:190]  # 30 pages, then 150 more


class SmallDisk:
    """A tmpfs of a few hundred KB at ``path``; ``resize`` changes its size in place."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            pytest.fail(f"cannot mount a small tmpfs for the disk-full tests (run them as root "
                        f"in a container that allows mount): {done.stderr.strip()}")  # fmt: skip

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)

    def used_kb(self) -> int:
        out = subprocess.run(["df", "-k", "--output=used", str(self.path)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
        return int(out.split()[-1])

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    disk = SmallDisk(tmp_path / "small", "2m")
    yield disk
    disk.unmount()


def communique(*args: str) -> tuple[int, str]:
    """A ``communique`` command in a process of its own: exit code and output."""
    proc = spawn([sys.executable, "-m", "communique.cli", *args], stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT)  # fmt: skip
    try:
        out = proc.communicate(timeout=600)[0].decode(errors="replace")
    finally:
        stop_process(proc)
    return proc.returncode, out


def ingest(db: list[str], pages: list[Path]) -> tuple[int, str]:
    return communique("ingest", *map(str, pages), *db, "-q", "--workers", "1")


def assert_disk_full(code: int, out: str) -> None:
    assert code == 3, out[-3000:]
    assert "disk full" in out and "Traceback" not in out, out[-3000:]


def documents_checked(out: str) -> int:
    """The documents ``communique check`` checked ("(N raw inputs, N documents, ...)")."""
    return int(out.split(" documents")[0].rsplit(" ", 1)[1])


def test_a_full_disk_during_the_store_write(small_disk: SmallDisk, tmp_path: Path) -> None:
    """The SQLite archive on the small disk (its index elsewhere): 30 pages fit, 150 more do
    not. The archive keeps what was committed, sound; with space again the ingest completes."""
    db = ["--db", str(small_disk.path / "archive.db"), "--data-dir", str(tmp_path / "data")]
    code, out = ingest(db, FIRST)
    assert code == 0, out[-3000:]

    assert_disk_full(*ingest(db, MORE))
    code, out = communique("check", *db)
    # every document committed is sound; the index is behind, which the next command mends
    only_behind = "index-behind" in out and "1 problem remains" in out
    assert "archive OK" in out or only_behind, out[-3000:]
    kept = documents_checked(out)
    assert len(FIRST) <= kept < len(FIRST) + len(MORE)
    code, out = communique("search", "Russia", *db, "--limit", "1")
    assert code == 0 and "cite kremlin-en-" in out, out[-3000:]
    code, out = communique("check", *db)
    assert code == 0 and "archive OK" in out and documents_checked(out) == kept, out[-3000:]

    small_disk.resize("64m")
    code, out = ingest(db, MORE)
    assert code == 0, out[-3000:]
    code, out = communique("check", *db)
    assert code == 0 and "archive OK" in out, out[-3000:]
    assert documents_checked(out) == len(FIRST) + len(MORE)


def test_a_full_disk_during_the_index_build(
    small_disk: SmallDisk, archive_target: str, tmp_path: Path
) -> None:
    """The archive elsewhere, its derived files (the index) on the small disk: the first
    build does not fit, then an update does not fit. Each time the store keeps every document,
    the index is left usable or rebuilt by the next command, and no build's debris is left."""
    db = ["--db", archive_target, "--data-dir", str(small_disk.path)]
    small_disk.resize("200k")
    assert_disk_full(*ingest(db, MORE))
    code, out = communique("check", *db)
    assert "index-missing" in out and f"{len(MORE)} documents" in out, out[-3000:]
    assert list(small_disk.path.iterdir()) == []  # the failed build's files are gone
    code, out = communique("search", "Russia", *db, "--limit", "1")
    assert_disk_full(code, out)  # the index cannot be built yet: it says so

    small_disk.resize("64m")
    code, out = communique("search", "Russia", *db, "--limit", "1")
    assert code == 0 and "cite kremlin-en-" in out, out[-3000:]  # rebuilt by the next command
    code, out = communique("check", *db)
    assert code == 0 and "archive OK" in out and documents_checked(out) == len(MORE), out[-3000:]

    # an update of a built index that does not fit: the index stays as it was, usable
    small_disk.resize(f"{small_disk.used_kb() + 16}k")
    assert_disk_full(*ingest(db, FIRST))
    code, out = communique("search", "Russia", *db, "--limit", "1")
    assert "Traceback" not in out, out[-3000:]
    if code == 3:  # it tried to bring the index up to date, and said why it could not
        assert "disk full" in out
    else:
        assert code == 0 and "cite kremlin-en-" in out, out[-3000:]
    small_disk.resize("64m")
    code, out = communique("search", "Russia", *db, "--limit", "1")
    assert code == 0 and "cite kremlin-en-" in out, out[-3000:]
    code, out = communique("check", *db)
    assert code == 0 and "archive OK" in out, out[-3000:]
    assert documents_checked(out) == len(FIRST) + len(MORE)
    leftovers = [p.name for p in small_disk.path.iterdir() if ".tmp-" in p.name]
    assert leftovers == []
