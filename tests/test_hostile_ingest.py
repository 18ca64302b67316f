"""One bad input costs only itself: hostile files beside good ones (issue 18).

Every good input is stored; every bad one is reported with its file (and line or row) and the
reason; the exit code says something failed. Big inputs are made on the fly, small, with the
limits lowered to match (the multi-GB ones are in bench/hostile.py).
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from communique.cli import app
from communique.ingest.pipeline import Ingester
from communique.sources.raw import Failure
from communique.sources.walk import iter_items
from communique.store import open_store

from .conftest import CORPUS, db_options, index_dir_of, spawn, stop_process

runner = CliRunner()
KREMLIN = CORPUS / "kremlin_en" / "html"
GOOD = ["006152.html.gz", "007954.html.gz", "007955.html.gz", "007957.html.gz"]


def _statuses(db: str) -> dict[str, tuple[str, str | None]]:
    store = open_store(db)
    try:
        rows = store.query("SELECT path, status, reason FROM paths").fetchall()
        return {p: (s, r) for p, s, r in rows}
    finally:
        store.close()


def _documents(db: str) -> int:
    store = open_store(db)
    try:
        return store.stats()["documents"]
    finally:
        store.close()


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for name in GOOD:
        shutil.copyfile(KREMLIN / name, d / name)
    # a file name that is not UTF-8, holding a good page
    bad_name = os.path.join(os.fsencode(d), b"latin1_\xe9\xff.html")
    with open(bad_name, "wb") as fh:
        fh.write(gzip.decompress((KREMLIN / "007959.html.gz").read_bytes()))
    # JSON Lines: a line that is not JSON and one that is not UTF-8 among good rows
    rows = [json.dumps({"title": f"Row {i}", "text": f"Q: question {i}? A: answer {i}."})
            for i in range(1, 8)]  # fmt: skip
    lines = [r.encode() for r in rows]
    lines[2] = b'{"title": "broken", "text": '
    lines[4] = b'{"title": "caf\xe9", "text": "x"}'
    (d / "rows.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    # CSV: a quote left open on row 2 of 4 swallows the rest of the file into one cell
    (d / "table.csv").write_text(
        'title,text\nOne,"Q: first? A: yes."\nTwo,"Q: open quote\n'
        "Three,Q: third? A: yes.\nFour,Q: fourth? A: yes.\n",
        encoding="utf-8",
    )
    os.mkfifo(d / "pipe.html")  # would block a read for ever
    return d


def test_bad_files_cost_only_themselves(hostile_folder: Path, archive_target: str) -> None:
    db = archive_target
    result = runner.invoke(app, ["ingest", str(hostile_folder), *db_options(db), "-q",
                                 "--workers", "1"])  # fmt: skip
    assert result.exit_code == 1, result.output  # something failed, and says so
    st = _statuses(db)
    by_name = {Path(p).name: v for p, v in st.items()}
    for name in GOOD:
        assert by_name[name][0] == "new", by_name[name]
    assert by_name["latin1_\\xe9\\xff.html"][0] == "new"  # stored under an escaped name
    assert by_name["pipe.html"][0] == "failed" and "FIFO" in by_name["pipe.html"][1]
    jsonl = {p.rpartition("#")[2]: v for p, v in st.items() if "rows.jsonl#" in p}
    assert jsonl["row=3"][0] == "failed" and "line 3: invalid JSON" in jsonl["row=3"][1]
    assert jsonl["row=5"][0] == "failed" and "line 5: not UTF-8" in jsonl["row=5"][1]
    assert [jsonl[f"row={n}"][0] for n in (1, 2, 4, 6, 7)] == ["new"] * 5
    csv_rows = {p.rpartition("#")[2]: v for p, v in st.items() if "table.csv#" in p}
    assert csv_rows["row=2"][0] == "failed" and "unterminated quote" in csv_rows["row=2"][1]
    assert "line 3" in csv_rows["row=2"][1]
    assert [csv_rows[f"row={n}"][0] for n in (1, 3, 4)] == ["new"] * 3
    assert _documents(db) == 5 + 5 + 3


def test_manifest_that_is_not_utf8(tmp_path: Path, archive_target: str) -> None:
    """A Latin-1 manifest is read with its encoding; a binary one is reported and its folder's
    pages (and other folders) are still ingested."""
    latin = tmp_path / "in" / "latin"
    garbage = tmp_path / "in" / "garbage"
    for folder, name in ((latin, GOOD[0]), (garbage, GOOD[1])):
        folder.mkdir(parents=True)
        shutil.copyfile(KREMLIN / name, folder / name)
    (latin / "manifest.csv").write_bytes(
        f"file,url\n{GOOD[0]},http://kremlin.ru/events/r\xe9union\n".encode("latin-1")
    )
    (garbage / "manifest.csv").write_bytes(b"file,title\n" + bytes(range(128, 256)) * 40)
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), *db_options(archive_target),
                                 "-q", "--workers", "1"])  # fmt: skip
    assert result.exit_code == 1, result.output
    st = {f"{Path(p).parent.name}/{Path(p).name}": v for p, v in _statuses(archive_target).items()}
    assert st[f"latin/{GOOD[0]}"][0] == "new"
    assert st[f"garbage/{GOOD[1]}"][0] == "new"
    assert st["garbage/manifest.csv"][0] == "failed"
    assert "unreadable manifest" in st["garbage/manifest.csv"][1]
    store = open_store(archive_target)
    try:
        doc_id = store.path_status(str(latin / GOOD[0]))[2]
        assert store.get(doc_id).origin[0].url == "http://kremlin.ru/events/réunion"
    finally:
        store.close()


def test_size_limits_refuse_bombs_and_huge_pages(
    tmp_path: Path, archive_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(KREMLIN / GOOD[0], d / GOOD[0])
    (d / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * (3 << 20)))  # 3 MB inside
    (d / "huge.html").write_bytes(b"<html><body>" + b"<p>word</p>" * 300_000)  # 3.3 MB
    (d / "big.txt").write_bytes(b"words " * 1_000_000)  # 6 MB file
    (d / "big.json").write_bytes(b'[{"text": "' + b"words " * 1_000_000 + b'"}]')
    # the options set the environment (for the workers): monkeypatch puts it back afterwards
    monkeypatch.setenv("COMMUNIQUE_MAX_DOCUMENT_MB", "5")
    monkeypatch.setenv("COMMUNIQUE_MAX_INPUT_MB", "200")
    result = runner.invoke(
        app,
        ["ingest", str(d), *db_options(archive_target), "-q", "--workers", "1",
         "--max-document-mb", "2", "--max-input-mb", "5"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    st = {Path(p).name: v for p, v in _statuses(archive_target).items()}
    assert st[GOOD[0]][0] == "new"
    assert st["bomb.html.gz"][0] == "failed"
    assert "gzip data, decompressed, too large" in st["bomb.html.gz"][1]
    assert st["huge.html"][0] == "failed" and "over the limit of 2.0 MB" in st["huge.html"][1]
    # a page file over the page limit is refused before it is read (the input limit is larger)
    assert st["big.txt"][0] == "failed" and "page too large" in st["big.txt"][1]
    assert "over the limit of 2.0 MB" in st["big.txt"][1]
    assert "COMMUNIQUE_MAX_DOCUMENT_MB" in st["big.txt"][1]
    assert st["big.json"][0] == "failed" and "over the limit of 5.0 MB" in st["big.json"][1]
    assert "COMMUNIQUE_MAX_INPUT_MB" in st["big.json"][1]


def test_devices_are_refused() -> None:
    items = list(iter_items([Path("/dev/zero")]))
    assert items == [Failure("/dev/zero", items[0].reason)]
    assert "a device" in items[0].reason


def test_unreadable_folder_is_a_failure(tmp_path: Path) -> None:
    """A folder that cannot be listed is reported and counted as failed; the rest is ingested.
    (Run as an unprivileged user in a child process: root reads any folder.)"""
    top = Path(tempfile.mkdtemp(prefix="communique-unreadable-"))
    try:
        top.chmod(0o777)
        (top / "in").mkdir()
        shutil.copyfile(KREMLIN / GOOD[0], top / "in" / GOOD[0])
        locked = top / "in" / "locked"
        locked.mkdir()
        shutil.copyfile(KREMLIN / GOOD[1], locked / GOOD[1])
        locked.chmod(0)
        for p in (top / "in", top / "in" / GOOD[0]):
            p.chmod(0o755 if p.is_dir() else 0o644)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: drop to nobody, ingest, report the counts
            try:
                os.close(r)
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                store = open_store(str(top / "a.db"))
                report = Ingester(store, workers=1).run([top / "in"])
                store.close()
                out = json.dumps([dict(report.counts), report.failures])
                os.write(w, out.encode())
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r) as fh:
            counts, failures = json.loads(fh.read() or "[{}, []]")
        os.waitpid(pid, 0)
        assert counts.get("new") == 1
        assert counts.get("failed") == 1
        assert failures[0][0] == str(locked) and "cannot read folder" in failures[0][1]
    finally:
        (top / "in" / "locked").chmod(0o755)
        shutil.rmtree(top)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_index_builds_are_removed(tmp_path: Path, archive_target: str) -> None:
    """A build killed mid-way leaves ``<index>.tmp-PID``: the next run removes it when PID is
    dead (and leaves a live process's build alone)."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(KREMLIN / GOOD[0], d / GOOD[0])
    args = ["ingest", str(d), *db_options(archive_target), "-q", "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    index = index_dir_of(archive_target)
    stale = index.with_name(f"{index.name}.tmp-{_dead_pid()}")
    live = index.with_name(f"{index.name}.tmp-{os.getpid()}")
    for folder in (stale, live):
        folder.mkdir()
        (folder / "meta.json").write_text("{}")
    shutil.copyfile(KREMLIN / GOOD[1], d / GOOD[1])
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert not stale.exists(), result.output
    assert live.exists()
    shutil.rmtree(live)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_parse_workers_die_with_the_ingest(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for name in sorted(os.listdir(KREMLIN))[:400]:  # enough to keep two workers busy a while
        shutil.copyfile(KREMLIN / name, d / name)
    proc = subprocess.Popen(
        [sys.executable, "-m", "communique.cli", "ingest", str(d), "--db",
         str(tmp_path / "a.db"), "-q", "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the ingest started no workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()
             and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]]  # fmt: skip
    assert alive == [], "parse workers outlived the killed ingest"


def test_deeply_nested_page_costs_only_itself(tmp_path: Path, archive_target: str) -> None:
    """200,000 nested <div>s (2.2 MB) beside a good page: read in linear time (the nesting
    past 256 levels flattened), then skipped for what it is, a shell without paragraphs."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(KREMLIN / GOOD[0], d / GOOD[0])
    (d / "deep.html").write_text(
        "<html><head><title>Deep</title></head><body>" + "<div>" * 200_000 + "Q: deep?"
        + "</div>" * 200_000 + "</body></html>"
    )  # fmt: skip
    args = ["ingest", str(d), *db_options(archive_target), "-q", "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    st = {Path(p).name: v for p, v in _statuses(archive_target).items()}
    assert st[GOOD[0]][0] == "new"
    assert st["deep.html"] == ("skipped", "no paragraphs of text (site shell or error page)")


QA_CSV = CORPUS / "cmfa_presscon_subset" / "ukraine_dataset_combined.csv"


def test_a_stray_quote_closed_rows_later_costs_only_its_row(tmp_path: Path) -> None:
    """Question and answer rows of the corpus as a TSV; one question given a stray opening
    quote, which the next quote of the file (some rows later) closes: those rows would read as
    one cell. The bad row is reported with its line and every other row is read."""
    import csv

    from communique.sources.tables import BadRow, read_table

    csv.field_size_limit(1 << 30)
    with QA_CSV.open(encoding="utf-8", newline="") as fh:
        rows = [[r["id"], r["spokesperson"], r["date"], r["question"], r["answer"]]
                for r in itertools.islice(csv.DictReader(fh), 60)]  # fmt: skip
    out = tmp_path / "qa.tsv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(
            [["id", "spokesperson", "date", "question", "answer"], *rows]
        )
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    # the first row followed by three lines without a quote of their own (so that the stray
    # quote swallows at least three rows); its question is not quoted already
    k = next(i for i in range(1, len(lines) - 4) if not any('"' in ln for ln in lines[i:i + 4]))
    closing = next(j for j in range(k + 1, len(lines)) if '"' in lines[j])
    assert closing - k >= 4
    cells = lines[k].split("\t")
    cells[3] = '"' + cells[3]
    lines[k] = "\t".join(cells)
    out.write_text("".join(lines), encoding="utf-8")

    read = list(read_table(out))
    bad = [r for r in read if isinstance(r, BadRow)]
    good = [r for r in read if not isinstance(r, BadRow)]
    assert len(bad) == 1 and bad[0].where == f"line {k + 1}"
    assert "unterminated quote" in bad[0].reason and f"line {closing + 1}" in bad[0].reason
    expected = [r for i, r in enumerate(rows, start=1) if i != k]
    assert [[g["id"], g["spokesperson"], g["date"], g["question"], g["answer"]]
            for g in good] == expected  # fmt: skip


def test_quoted_cells_with_line_breaks_are_not_taken_for_swallowed_rows() -> None:
    """The corpus's tables whose text cells hold paragraphs on several lines read whole."""
    import csv

    from communique.sources.tables import BadRow, read_table

    csv.field_size_limit(1 << 30)
    for path in (QA_CSV, *sorted((CORPUS / "official_transcripts").glob("*.csv"))):
        read = list(read_table(path))
        assert not [r for r in read if isinstance(r, BadRow)], path
        with path.open(encoding="utf-8-sig", newline="") as fh:
            assert read == list(csv.DictReader(fh)), path


def test_a_page_over_the_limit_is_refused_unread(tmp_path: Path, archive_target: str) -> None:
    """A 190 MB page (a sparse file: no disk needed) beside a good one, under the file limit
    (200 MB) but over the page limit (5 MB): refused after reading at most its limit, so the
    ingest's peak memory stays far below the page's size."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copyfile(KREMLIN / GOOD[0], d / GOOD[0])
    huge = d / "huge.html"
    with huge.open("wb") as fh:
        fh.truncate(190 << 20)
    cmd = [sys.executable, "-m", "communique.cli", "ingest", str(d), *db_options(archive_target),
           "-q", "--workers", "1"]  # fmt: skip
    proc = spawn([sys.executable, "-c", PEAK_RSS, *cmd], stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT)  # fmt: skip
    try:
        output = proc.communicate(timeout=300)[0].decode(errors="replace")
    finally:
        stop_process(proc)
    assert proc.returncode == 1, output[-2000:]
    st = {Path(p).name: v for p, v in _statuses(archive_target).items()}
    assert st[GOOD[0]][0] == "new"
    assert st["huge.html"][0] == "failed" and "page too large (190.0 MB" in st["huge.html"][1]
    assert "over the limit of 5.0 MB" in st["huge.html"][1]
    peak_mb = int(output.rsplit("peak-rss-kb ", 1)[1].split()[0]) / 1024
    assert peak_mb < 150, f"the ingest peaked at {peak_mb:.0f} MB for a 190 MB page"


# runs the command given after it and prints its peak memory (the largest resident set of the
# children it waited for: the command alone); exits with the command's code
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print('peak-rss-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)
