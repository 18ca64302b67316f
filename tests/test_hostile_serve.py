"""One query never takes the server down (issue 18): a costly query beside a plain one,
nesting, a forged Host header, the token's scheme, a lone surrogate in a watch, slow and
greedy clients. Against a real ``communique serve`` on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    CORPUS,
    Server,
    build_archive,
    data_dir_of,
    free_port,
    start_server,
    stop_server,
)

TOKEN = "hostile-token-5e2"
# the longest Kremlin pages of the corpus: long turns are where a costly NEAR hurt most
LONG_PAGES = [
    CORPUS / "kremlin_en" / "html" / f"{n}.html.gz"
    for n in ("060795", "017976", "051716", "017173", "054790", "059455")
]
LEFT = [
    "sa",
    "se",
    "si",
    "so",
    "st",
    "su",
    "sp",
    "sh",
    "sc",
    "pr",
    "pa",
    "po",
    "pe",
    "ca",
    "co",
    "de",
    "di",
    "re",
    "in",
    "un",
]
RIGHT = [
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "no",
    "ni",
    "pl",
    "fr",
    "fo",
    "fa",
    "fi",
    "ga",
    "go",
    "gr",
    "ha",
    "he",
    "ho",
]
COSTLY = (
    "("
    + " OR ".join(p + "*" for p in LEFT)
    + ") NEAR/1000 ("
    + " OR ".join(p + "*" for p in RIGHT)
    + ")"
)


@pytest.fixture(scope="session")
def long_db(request: pytest.FixtureRequest, backend: str) -> str:
    return build_archive(request, backend, "long", LONG_PAGES)


@pytest.fixture(scope="session")
def served(long_db: str) -> Iterator[Server]:
    srv = start_server(long_db, "--token", TOKEN, "--request-timeout", "2",
                "--max-client-connections", "6")  # fmt: skip
    yield srv
    stop_server(srv)


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_a_costly_query_does_not_hold_up_a_plain_one(served: Server) -> None:
    answer: dict[str, tuple[int, str]] = {}

    def costly() -> None:
        answer["costly"] = get(f"{served.url}/api/v1/search?q={q(COSTLY)}")

    t = threading.Thread(target=costly)
    t.start()
    time.sleep(0.2)
    started = time.monotonic()
    status, body = get(f"{served.url}/api/v1/search?q=sanctions", timeout=30)
    took = time.monotonic() - started
    t.join(120)
    assert status == 200 and json.loads(body)["total"] > 0
    assert took < 1.0, f"the plain search waited {took:.1f} s"
    status, body = answer["costly"]
    assert status == 400
    message = json.loads(body)["message"]
    assert "NEAR/1000 between 20 and 20 alternatives" in message and "fewer" in message


def test_a_star_matching_too_many_words_is_refused(
    long_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits are lowered to what six pages hold (the defaults need a large archive)."""
    import communique.search.compile as compiling
    from communique.archive import Archive
    from communique.search.ast import QueryTooCostly

    monkeypatch.setattr(compiling, "MAX_NEAR_PREFIX_TERMS", 20)
    monkeypatch.setattr(compiling, "MAX_PREFIX_TERMS", 50)
    with Archive(long_db) as a:
        with pytest.raises(QueryTooCostly, match=r"co\* matches more than 20 different words "
                           "on a side of NEAR"):  # fmt: skip
            a.search("co* NEAR/5 russia")
        with pytest.raises(QueryTooCostly, match=r"co\* matches more than 50 different words"):
            a.search("co*")
        assert a.search("russia*").total > 0


@pytest.mark.parametrize(
    "path",
    ["/api/v1/search?q=", "/search?q=", "/api/v1/kwic?q=", "/kwic?q=", "/api/v1/trend?q=",
     "/trends?q=", "/api/v1/keyness?b=russia&a="],
)  # fmt: skip
def test_deep_nesting_is_a_pointed_error(served: Server, path: str) -> None:
    deep = "(" * 200 + "sanctions" + ")" * 200
    status, body = get(f"{served.url}{path}{q(deep)}")
    assert status == 400, body[:300]
    assert "nests parentheses or negations more than 32 deep" in body
    assert "Traceback" not in body and "RecursionError" not in body


def test_a_forged_host_is_refused(served: Server) -> None:
    status, body = get(f"{served.url}/api/v1/search?q=sanctions", {"host": "evil.example"})
    assert status == 400 and "evil.example" not in body
    status, body = get(f"{served.url}/api/v1/search?q=sanctions", {"host": "localhost"})
    assert status == 200


def test_links_use_the_public_url(long_db: str) -> None:
    srv = start_server(long_db, "--public-url", "https://archive.example.org")
    try:
        status, body = get(f"{srv.url}/api/v1/search?q=sanctions&size=1",
                           {"host": "evil.example"})  # fmt: skip
        assert status == 200
        hit = json.loads(body)["hits"][0]
        assert hit["url"].startswith("https://archive.example.org/d/"), hit["url"]
        assert "evil.example" not in body
    finally:
        stop_server(srv)


def test_a_token_without_bearer_is_refused(served: Server) -> None:
    body = json.dumps({"name": "plain-token", "query": "sanctions"}).encode()
    for auth, expected in ((TOKEN, 401), (f"Basic {TOKEN}", 401), (f"Bearer {TOKEN}", 201)):
        req = urllib.request.Request(f"{served.url}/api/v1/watches", data=body, method="POST",
                                     headers={"content-type": "application/json",
                                              "authorization": auth})  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        assert status == expected, auth


def test_a_lone_surrogate_in_a_watch_is_a_400(served: Server) -> None:
    body = b'{"name": "surrogate", "query": "\\udfff sanctions"}'
    req = urllib.request.Request(f"{served.url}/api/v1/watches", data=body, method="POST",
                                 headers={"content-type": "application/json",
                                          "authorization": f"Bearer {TOKEN}"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 400
    assert "U+DFFF" in json.loads(e.value.read())["message"]


def test_a_slow_client_is_cut_off(served: Server) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        started = time.monotonic()
        s.sendall(b"GET /api/v1/stats HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - started < 8:
            try:
                s.sendall(b"X")  # one byte of a header at a time
                s.settimeout(0.5)
                if s.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        assert closed, "the server kept a connection sending a header a byte at a time"
        assert time.monotonic() - started < 6


def test_connections_per_client_are_capped(served: Server) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(6)]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as extra:
            extra.sendall(b"GET /api/v1/stats HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
            assert extra.recv(200).startswith(b"HTTP/1.1 503")
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)
    assert get(f"{served.url}/api/v1/stats")[0] == 200  # free again once they are closed


def test_a_query_over_its_time_budget_is_a_503(
    long_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMUNIQUE_QUERY_SECONDS", "0")  # every query is over it at once
    srv = start_server(long_db)
    try:
        status, body = get(f"{srv.url}/api/v1/search?q=russia")
        assert status == 503
        message = json.loads(body)["message"]
        assert "longer than its budget of 0 s" in message and "narrow it" in message
        status, body = get(f"{srv.url}/search?q=russia")
        assert status == 503 and "narrow it" in body
        assert get(f"{srv.url}/api/v1/stats")[0] == 200
    finally:
        stop_server(srv)


# -- work whose client has gone stops ---------------------------------------------------------
@contextlib.contextmanager
def in_process_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn (with ``communique serve``'s protocol) on a loopback port, in
    a thread of this process: the test adds a route of its own whose work it controls."""
    import uvicorn

    from communique.web.serving import GuardedH11

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=GuardedH11)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


def raw_request(url: str, path: str) -> socket.socket:
    """A GET sent over a socket of its own (the test closes it to play a client that leaves)."""
    port = int(url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n".encode())
    return s


def answers_within(s: socket.socket, seconds: float) -> bytes:
    """What the server sends on ``s`` within ``seconds`` (b"" if nothing)."""
    s.settimeout(seconds)
    try:
        return s.recv(200)
    except TimeoutError:
        return b""


def test_a_heavy_analysis_whose_client_has_gone_frees_its_worker(
    long_db: str, tmp_path: Path
) -> None:
    """One worker, one place in the queue, a deadline of 60 s: a running analysis and a queued
    one whose clients disconnect give back their places at once, not at the deadline."""
    from communique.web import create_app

    app = create_app(long_db, data_dir=data_dir_of(long_db), heavy_workers=1, heavy_queue=1,
                     deadline=60)  # fmt: skip
    started, release = tmp_path / "started", tmp_path / "release"

    def slow(_archive: Any) -> str:
        started.write_text(str(os.getpid()))
        until = time.monotonic() + 60
        while not release.exists() and time.monotonic() < until:
            time.sleep(0.05)
        return "done"

    @app.get("/test/slow")
    def slow_route() -> dict[str, str]:
        return {"answer": app.state.service.heavy(slow)}

    keyness = "/api/v1/keyness?a=russia&b="
    with in_process_server(app) as url:
        deadline = time.monotonic() + 120
        while not json.loads(get(f"{url}/api/v1/stats")[1])["derived"]["word_cache"]["ready"]:
            assert time.monotonic() < deadline, "the word cache was not prepared"
            time.sleep(0.2)
        assert get(f"{url}{keyness}")[0] == 200

        running = raw_request(url, "/test/slow")
        while not started.exists():
            assert time.monotonic() < deadline, "the slow analysis did not start"
            time.sleep(0.05)
        worker = int(started.read_text())
        queued = raw_request(url, "/test/slow")
        while load(url)["waiting"] < 1:  # sent first, it could reach the queue second
            assert time.monotonic() < deadline, "the second request was not queued"
            time.sleep(0.05)
        assert load(url) == {"workers": 1, "queue": 1, "running": 1, "waiting": 1}
        status, body = get(f"{url}{keyness}", timeout=5)  # the queue's one place is taken
        assert status == 503 and "busy (1 running, 1 waiting)" in body

        queued.close()  # the queued client leaves: its place is free again
        while load(url)["waiting"]:
            assert time.monotonic() < deadline, "the queued request kept its place"
            time.sleep(0.05)
        third = raw_request(url, keyness)
        assert answers_within(third, 2) == b"", "refused: the queue's place was still held"
        third.close()

        left = time.monotonic()
        running.close()  # the running client leaves: its worker is stopped and replaced
        while Path(f"/proc/{worker}").exists() and "Z" not in _proc_state(worker):
            assert time.monotonic() - left < 5, "the worker of a gone client ran on"
            time.sleep(0.05)
        status, body = get(f"{url}{keyness}", timeout=30)
        took = time.monotonic() - left
        assert status == 200 and json.loads(body)["key_a"], body[:300]
        assert took < 20, f"the capacity came back after {took:.0f} s (deadline 60 s)"
        assert not release.exists()  # the slow analysis never finished: it was stopped


def load(url: str) -> dict[str, int]:
    """How busy the server's analysis workers are, from its stats."""
    return json.loads(get(f"{url}/api/v1/stats")[1])["analyses"]


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_a_search_whose_client_has_gone_stops(long_db: str) -> None:
    """The budget's checks between a search's steps stop it once the flag the server raises
    at a disconnect is set; without it the same search answers."""
    from communique.archive import Archive
    from communique.search.cancel import Cancelled, cancelled_by

    gone = threading.Event()
    with Archive(long_db) as a, cancelled_by(gone):
        assert a.search("russia").total > 0
        gone.set()
        with pytest.raises(Cancelled, match="closed its connection"):
            a.search("russia")
        with pytest.raises(Cancelled):
            a.kwic("russia")
    with Archive(long_db) as a:
        assert a.search("russia").total > 0
