"""Oversized and hostile inputs against the ingest limits: one command, prints numbers.

    python bench/hostile.py [--scale 1.0] [--only NAME ...]

Each input is made on the fly in a temporary folder (at ``--scale 1`` the sizes of issue 18:
a 2 MB gzip expanding to 2 GiB, a 255 KB gzip of 256 MB, a 200 MB HTML page, a 100 MB CSV
cell, an XLSX whose shared strings expand to 1.5 GB, an XLSX with 25M empty rows, 200,000
nested divs, /dev/zero and a FIFO), then ingested by ``communique ingest --workers 1`` in a
fresh process. For each it prints the wall time, the peak memory (RSS) of that process, the
limit that applies and what the archive recorded (status and reason).
"""

from __future__ import annotations

import argparse
import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from communique.sources.limits import Limits, size  # noqa: E402

MB = 1 << 20


def gzip_stream(path: Path, total: int, chunk: bytes = b"\0" * MB) -> None:
    """A gzip file of ``total`` bytes of ``chunk`` repeated, written without holding it."""
    with gzip.open(path, "wb", compresslevel=9) as fh:
        left = total
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def gzip_bomb(d: Path, scale: float) -> Path:
    p = d / "bomb.html.gz"
    gzip_stream(p, int(2048 * MB * scale))
    return p


def small_gzip_big_page(d: Path, scale: float) -> Path:
    p = d / "page.html.gz"
    gzip_stream(p, int(256 * MB * scale), b"<p>" + b"a" * (MB - 7) + b"</p>\n")
    return p


def huge_html(d: Path, scale: float) -> Path:
    p = d / "huge.html"
    para = b"<p>Question: what did the minister say about the talks? Answer: nothing new.</p>\n"
    with p.open("wb") as fh:
        fh.write(b"<html><body>")
        for _ in range(int(200 * MB * scale) // len(para)):
            fh.write(para)
    return p


def huge_cell(d: Path, scale: float) -> Path:
    p = d / "cell.csv"
    with p.open("w", encoding="utf-8") as fh:
        fh.write('title,text\nA,"a short row"\nB,"')
        word = "word " * 200_000
        for _ in range(int(100 * MB * scale) // len(word)):
            fh.write(word)
        fh.write('"\nC,"another short row"\n')
    return p


def _xlsx(p: Path, shared_strings: Callable[[Callable[[bytes], None]], None],
          sheet: Callable[[Callable[[bytes], None]], None]) -> None:  # fmt: skip
    files = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"'
        b'/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relati'
        b'onships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxm'
        b'lformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/workshe'
        b'ets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheet'
        b'ml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application'
        b'/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlform'
        b'ats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        b"</Relationships>",
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.'
        b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas'
        b'.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://sche'
        b'mas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
        b'sheet1.xml"/><Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocume'
        b'nt/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    }
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            shared_strings(fh.write)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            sheet(fh.write)


_SST = (
    b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_WS = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'


def xlsx_shared_strings(d: Path, scale: float) -> Path:
    p = d / "strings.xlsx"

    def sst(write: Callable[[bytes], None]) -> None:
        write(_SST + b"<si><t>")
        block = b"a" * MB
        for _ in range(int(1536 * MB * scale) // MB):
            write(block)
        write(b"</t></si></sst>")

    def sheet(write: Callable[[bytes], None]) -> None:
        write(_WS + _HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>'
              b"</worksheet>")  # fmt: skip

    _xlsx(p, sst, sheet)
    return p


def xlsx_empty_rows(d: Path, scale: float) -> Path:
    p = d / "rows.xlsx"

    def sst(write: Callable[[bytes], None]) -> None:
        write(_SST + b"</sst>")

    def sheet(write: Callable[[bytes], None]) -> None:
        write(_WS + _HEADER_ROW)
        n = int(25_000_000 * scale)
        for start in range(2, n + 2, 100_000):
            write(b"".join(b'<row r="%d"/>' % r for r in range(start, min(start + 100_000, n + 2))))
        write(b"</sheetData></worksheet>")

    _xlsx(p, sst, sheet)
    return p


def nested_divs(d: Path, scale: float) -> Path:
    p = d / "deep.html"
    n = max(int(200_000 * scale), 1000)
    p.write_text("<html><body>" + "<div>" * n + "<p>Q: deep?</p>" + "</div>" * n + "</body></html>")
    return p


def dev_zero(d: Path, scale: float) -> Path:
    return Path("/dev/zero")


def fifo(d: Path, scale: float) -> Path:
    p = d / "pipe.html"
    os.mkfifo(p)
    return p


L = Limits()
CASES: dict[str, tuple[Callable[[Path, float], Path], str]] = {
    "gzip-bomb": (gzip_bomb, f"document {size(L.document_bytes)} after gunzip"),
    "small-gzip-256MB": (small_gzip_big_page, f"document {size(L.document_bytes)}"),
    "html-200MB": (huge_html, f"document {size(L.document_bytes)}, read no further"),
    "csv-cell-100MB": (huge_cell, f"row {size(L.cell_bytes)}"),
    "xlsx-strings-1.5GB": (xlsx_shared_strings, f"workbook {size(L.input_bytes)} uncompressed"),
    "xlsx-25M-empty-rows": (xlsx_empty_rows, f"workbook {size(L.input_bytes)} uncompressed"),
    "nested-divs-200k": (nested_divs, "nesting flattened past 256"),
    "dev-zero": (dev_zero, "regular files only"),
    "fifo": (fifo, "regular files only"),
}


def run_case(name: str, scale: float) -> None:
    make, limit = CASES[name]
    with tempfile.TemporaryDirectory(prefix=f"hostile-{name}-") as tmp:
        d = Path(tmp)
        made = time.perf_counter()
        path = make(d, scale)
        made = time.perf_counter() - made
        disk = path.stat().st_size if path.is_file() else 0
        db = d / "a.db"
        cmd = [sys.executable, "-m", "communique.cli", "ingest", str(path), "--db", str(db),
               "-q", "--workers", "1"]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss / 1024  # KiB -> MiB
        recorded = "(no archive)"
        if db.exists():
            with sqlite3.connect(db) as con:
                rows = con.execute("SELECT status, reason FROM paths").fetchall()
            counts: dict[str, int] = {}
            for st, _ in rows:
                counts[st] = counts.get(st, 0) + 1
            reasons = sorted({(r or "")[:90] for _, r in rows if r})
            recorded = ", ".join(f"{n} {s}" for s, n in counts.items()) + (
                f": {reasons[0]}" if reasons else ""
            )
        print(
            f"{name:22} input {disk / MB:9.1f} MB (made in {made:5.1f} s)  ingest {wall:6.1f} s"
            f"  peak RSS {rss:7.0f} MB  exit {proc.returncode}  limit: {limit}\n"
            f"{'':22} recorded: {recorded}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="input sizes (1: the issue's)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="cases to run")
    args = parser.parse_args()
    print(f"limits: input {size(L.input_bytes)}, document {size(L.document_bytes)}, "
          f"cell {size(L.cell_bytes)}; scale {args.scale}")  # fmt: skip
    for name in args.only or CASES:
        run_case(name, args.scale)


if __name__ == "__main__":
    main()
