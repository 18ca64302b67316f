"""The REST API against a real ``communique serve`` process on loopback, over the small real
archive of ``SEARCH_INPUTS``. Expected values come from reading the pages (the seed, the
kremlin and fmprc pages, the CSV of Lavrov transcripts), not from the code's output."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .conftest import (
    CORPUS,
    FMPRC,
    SEARCH_INPUTS,
    SEED,
    SERVER_TOKEN,
    Server,
    copy_archive,
    data_dir_of,
    db_options,
    free_port,
    rows_of,
    spawn,
    start_server,
    stop_process,
    stop_server,
)

SEED_TITLE = (
    "Foreign Minister Sergey Lavrov’s interview with Khabar Agency, Kazakhstan, for Maya "
    "Bekbayeva’s project The Era of Revival, Moscow, December 9, 2018"
)  # the seed's third line
LAVROV_CSV = CORPUS / "official_transcripts" / "lavrov_ukraine_combined.csv"
BLOOMBERG = "kremlin-en-52830"  # kremlin.ru/events/president/news/52830, 2016-09-05
GENG_SHUANG = "fmprc-zh-t1417538"  # 2016年11月22日外交部发言人耿爽主持例行记者会
HUA_FEB3 = "fmprc-en-t1739548"  # Hua Chunying's Daily Briefing Online on February 3, 2020
# Not in SEARCH_INPUTS: Hua Chunying's briefing of February 4, 2020 (read from disk, uploaded)
UPLOAD = FMPRC / "en" / "other" / "t1740278.html"
UPLOAD_PHRASE = '"214 regions and countries"'  # "...the H1N1 flu in the US spread to 214 ..."
PERMALINK = re.compile(r"^[a-z0-9-]+#t[0-9]+$")
PINNED = re.compile(r"^[a-z0-9-]+@[0-9a-f]{12}#t[0-9]+$")
CSP_NEEDS = ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")

CSP_PATHS = (
    "/stats", "/search?q=Japan", "/search?q=(", "/kwic?q=Japan&format=csv",
    "/search/export?q=Japan", "/openapi.json", "/documents/nope", "/nowhere",
)  # fmt: skip
TRAVERSALS = (  # sent verbatim: no client-side clean-up of the ..
    "/static/../../pyproject.toml",
    "/static/..%2f..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/css/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/d/..%2f..%2fetc%2fpasswd",
    "/d/../../../../etc/passwd",
    "/swagger-ui/..%2f..%2fpyproject.toml",
    "/api/v1/documents/..%2f..%2f..%2fetc%2fpasswd",
)


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def seed_id(api: httpx.Client) -> str:
    """The seed's id in the archive, found by its title among the listed documents."""
    items = api.get("/documents", params={"size": 100}).json()["items"]
    (ident,) = [d["id"] for d in items if d["title"] == SEED_TITLE]
    return ident


def ok(r: httpx.Response) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def error(r: httpx.Response, status: int) -> str:
    """The message of a JSON error with ``status`` (which carries the security headers)."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error", "message"} and body["message"]
    has_csp(r)
    return body["message"]


def has_csp(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert all(part in csp for part in CSP_NEEDS), (r.url, csp)
    assert r.headers.get("x-content-type-options") == "nosniff"


def turn_text(api: httpx.Client, permalink: str) -> str:
    doc_id, n = permalink.split("#t")
    return ok(api.get(f"/documents/{doc_id}/turns/{n}"))["turn"]["text"]


def every_hit(api: httpx.Client, **params: str) -> dict:
    res = ok(api.get("/search", params={**params, "size": 100}))
    assert len(res["hits"]) == res["total"] <= 100
    return res


def served_copy(
    request: pytest.FixtureRequest, search_db: str, server: Server, folder: Path
) -> str:
    """A copy of the search archive (and its index, so that the server starts fast)."""
    db = copy_archive(request, search_db, folder)
    index = Path(server.db).with_name(Path(server.db).name + ".index")
    mine = Path(db).with_name(Path(db).name + ".index")
    if data_dir_of(db) is None and index.is_dir() and not mine.exists():  # SQLite
        shutil.copytree(index, mine)
    return db


# -- search ---------------------------------------------------------------------------------------


def test_phrase_with_speaker_and_role(api: httpx.Client, seed_id: str) -> None:
    # "peace initiatives" is only in the seed: its first question, and twice in the first
    # answer ("Kazakhstan’s peace initiatives, I must speak", "Many peace initiatives have")
    res = every_hit(api, q='"peace initiatives"', speaker="Sergey Lavrov", role="answer")
    assert res["params"]["speaker"] == "Sergey Lavrov" and res["params"]["role"] == "answer"
    (hit,) = res["hits"]
    assert (hit["doc_id"], hit["n"], hit["speaker"], hit["role"]) == (
        seed_id,
        2,
        "Sergey Lavrov",
        "answer",
    )
    assert turn_text(api, hit["permalink"]).count("peace initiatives") == 2
    spans = [hit["snippet"][a:b].lower() for a, b in hit["highlights"]]
    assert spans and set(spans) == {"peace initiatives"}
    (question,) = every_hit(api, q='"peace initiatives"', role="question")["hits"]
    assert (question["doc_id"], question["n"], question["role"]) == (seed_id, 1, "question")
    assert every_hit(api, q='"peace initiatives"', speaker="Vladimir Putin")["total"] == 0
    assert every_hit(api, q='"peace initiatives"')["total"] == 2


def test_filters_kind_lang_publisher_dates(api: httpx.Client) -> None:
    # "Japan": 5 times in Hua Chunying's briefing of 2020-02-03, 9 times in the Bloomberg
    # interview, not at all in the kremlin meeting or the White House press conference
    briefings = every_hit(api, q="Japan", kind="briefing")
    assert {h["doc_id"] for h in briefings["hits"]} == {HUA_FEB3}
    assert {h["kind"] for h in briefings["hits"]} == {"briefing"}
    kremlin = every_hit(api, q="Japan", publisher="kremlin.ru")
    assert {h["doc_id"] for h in kremlin["hits"]} == {BLOOMBERG}
    assert {h["publisher"] for h in kremlin["hits"]} == {"kremlin.ru"}
    # four of the CSV's transcripts are in Russian (their titles are Russian)
    russian = every_hit(api, q="role:answer", lang="ru")
    assert russian["total"] > 0 and {h["lang"] for h in russian["hits"]} == {"ru"}
    # answers in 2016: Putin to Bloomberg (2016-09-05) and Geng Shuang's briefing (2016-11-22)
    in_2016 = every_hit(api, q="", role="answer", **{"from": "2016", "to": "2016-12"})
    assert {h["doc_id"] for h in in_2016["hits"]} == {BLOOMBERG, GENG_SHUANG}
    assert all(h["date"].startswith("2016-") for h in in_2016["hits"])
    autumn = every_hit(api, q="role:answer", **{"from": "2016-09-06", "to": "2016-11-30"})
    assert {h["doc_id"] for h in autumn["hits"]} == {GENG_SHUANG}
    # several values of one filter mean either, as a comma list or a repeated parameter
    either = ok(api.get("/facets", params=[("q", "role:answer"), ("lang", "ru"), ("lang", "zh")]))
    assert set(either["facets"]["lang"]) == {"ru", "zh"}
    assert either["facets"]["lang"]["zh"] == 6  # six 答： on Geng Shuang's page
    listed = ok(api.get("/facets", params={"q": "role:answer", "lang": "ru,zh"}))
    assert listed["total"] == either["total"]


def test_pagination_and_links(api: httpx.Client) -> None:
    first = ok(api.get("/search", params={"q": "Kazakhstan", "size": 3}))
    second = ok(api.get("/search", params={"q": "Kazakhstan", "size": 3, "page": 2}))
    both = ok(api.get("/search", params={"q": "Kazakhstan", "size": 6}))
    assert first["total"] == second["total"] == both["total"] > 6
    one = [h["permalink"] for h in first["hits"]]
    two = [h["permalink"] for h in second["hits"]]
    assert len(one) == len(two) == 3 and not set(one) & set(two)
    assert one + two == [h["permalink"] for h in both["hits"]]
    assert first["links"]["prev"] is None
    nxt = parse_qs(urlsplit(first["links"]["next"]).query)
    assert nxt["page"] == ["2"] and nxt["q"] == ["Kazakhstan"] and nxt["size"] == ["3"]
    assert parse_qs(urlsplit(second["links"]["prev"]).query)["page"] == ["1"]
    last_page = -(-first["total"] // 3)
    last = ok(api.get("/search", params={"q": "Kazakhstan", "size": 3, "page": last_page}))
    assert last["links"]["next"] is None and 1 <= len(last["hits"]) <= 3


def test_facets_add_up(api: httpx.Client) -> None:
    for q in ("Kazakhstan OR Japan OR 中方 OR санкции", "role:answer"):
        res = ok(api.get("/facets", params={"q": q}))
        assert set(res["facets"]) == {
            "year", "publisher", "kind", "lang", "speaker", "role", "entity"
        }  # fmt: skip
        for name, counts in res["facets"].items():
            if name == "entity":  # several a turn: each at most the total
                assert all(0 < n <= res["total"] for n in counts.values()), q
                continue
            assert sum(counts.values()) == res["total"], (q, name)
        with_hits = ok(api.get("/search", params={"q": q, "facets": "true", "size": 1}))
        assert with_hits["facets"] == res["facets"] and with_hits["total"] == res["total"]
    # the White House press conference is undated
    undated = ok(api.get("/facets", params={"q": "role:answer", "publisher": "whitehouse.gov"}))
    assert undated["total"] > 0 and undated["facets"]["year"] == {"(none)": undated["total"]}


def test_answer_hit_shows_its_question(api: httpx.Client, seed_id: str) -> None:
    # the seed: "Question: Vladimir Solovyov does." / "Sergey Lavrov: It is his private agenda."
    (hit,) = ok(api.get("/search", params={"q": '"private agenda"'}))["hits"]
    assert (hit["doc_id"], hit["role"], hit["speaker"]) == (seed_id, "answer", "Sergey Lavrov")
    assert hit["question"]["text"] == "Vladimir Solovyov does."
    assert hit["question"]["n"] == hit["answers"] == hit["n"] - 1
    assert hit["title"] == SEED_TITLE and hit["date"] == "2018-12-09"
    assert PERMALINK.match(hit["permalink"]) and PINNED.match(hit["pinned"])
    assert hit["url"].endswith(f"/d/{hit['permalink']}")


# -- exports and concordances --------------------------------------------------------------------


def test_export_csv_and_json(api: httpx.Client) -> None:
    total = ok(api.get("/search", params={"q": "Kazakhstan"}))["total"]
    assert total > 5
    for limit in (5, 1000):
        r = api.get("/search/export", params={"q": "Kazakhstan", "format": "csv", "limit": limit})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert r.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(rows) == min(total, limit)
        assert list(rows[0]) == ["permalink", "source_url", "pinned", "date", "publisher",
                                 "kind", "lang", "title", "speaker", "role", "role_uncertain",
                                 "question", "text", "url"]  # fmt: skip
    for row in rows:
        assert row["text"] == turn_text(api, row["permalink"])  # the full turn, not a snippet
        assert PINNED.match(row["pinned"]) and row["url"].endswith("/d/" + row["permalink"])
    # the original page beside the permalink (the seed, a text dump, has none); Hua Chunying's
    # press conference of 2020-02-03 names Kazakhstan once, at its fmprc.gov.cn address
    fmprc = [row for row in rows if row["date"] == "2020-02-03"]
    assert fmprc and {row["source_url"] for row in fmprc} == {
        "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1739548.shtml"
    }
    assert all(row["source_url"] == "" for row in rows if row["date"] == "2018-12-09")
    answers = [row for row in rows if row["role"] == "answer" and row["speaker"] == "Sergey Lavrov"]
    assert answers and all(row["question"] for row in answers)
    r = api.get("/search/export", params={"q": "Kazakhstan", "format": "json", "limit": 4})
    hits = r.json()["hits"]
    assert r.status_code == 200 and len(hits) == 4
    assert [h["text"] for h in hits] == [turn_text(api, h["permalink"]) for h in hits]
    error(api.get("/search/export", params={"q": "Kazakhstan", "format": "xml"}), 400)


def test_kwic_json_and_csv(api: httpx.Client, seed_id: str) -> None:
    # the seed: "their sovereign and fishing zones", "a sovereign decision", "your sovereign right"
    res = ok(api.get("/kwic", params={"q": "sovereign*", "width": 30}))
    seed = [ln for ln in res["lines"] if ln["doc_id"] == seed_id]
    assert len(seed) == 3 and res["count"] == len(res["lines"]) > 3
    assert [ln["right"].split()[0] for ln in seed] == ["and", "decision", "right."]
    for ln in res["lines"]:
        assert ln["keyword"].lower().startswith("sovereign")
        text = turn_text(api, ln["permalink"])
        a = ln["start"]
        assert text[a : a + len(ln["keyword"])] == ln["keyword"]
        assert ln["left"] == text[max(a - 30, 0) : a] and len(ln["right"]) <= 30
        assert ln["left"] + ln["keyword"] + ln["right"] in text
    # an exact word: the keyword is the query word, whatever its case in the text
    exact = ok(api.get("/kwic", params={"q": '"kazakhstan"', "speaker": "Sergey Lavrov"}))
    assert exact["count"] > 0 and {ln["keyword"].lower() for ln in exact["lines"]} == {"kazakhstan"}
    r = api.get("/kwic", params={"q": '"kazakhstan"', "speaker": "Sergey Lavrov", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == exact["count"] and {"left", "keyword", "right", "permalink"} <= set(rows[0])
    for row in rows:
        flat = turn_text(api, row["permalink"]).replace("\r", " ").replace("\n", " ")
        assert row["keyword"].lower() == "kazakhstan"
        assert row["left"] + row["keyword"] + row["right"] in flat
    # the concordance's own orders (not a search's) are accepted
    by_left = ok(api.get("/kwic", params={"q": "sovereign*", "sort": "left", "width": 30}))
    assert by_left["sort"] == "left" and by_left["count"] == res["count"]
    assert sorted(map(str, by_left["lines"])) == sorted(map(str, res["lines"]))
    assert "sort" in error(api.get("/kwic", params={"q": "sovereign*", "sort": "relevance"}), 400)


# -- documents, turns, citations -----------------------------------------------------------------


def test_documents_list(api: httpx.Client) -> None:
    listed = ok(api.get("/documents", params={"size": 100}))
    stats = ok(api.get("/stats"))
    assert listed["total"] == len(listed["items"]) == stats["documents"]
    assert {BLOOMBERG, GENG_SHUANG, HUA_FEB3} <= {d["id"] for d in listed["items"]}
    dated = [d["date"] for d in listed["items"] if d["date"]]
    assert dated == sorted(dated, reverse=True)  # newest first, undated last
    assert listed["items"][-1]["date"] is None and listed["items"][-1]["publisher"] == (
        "whitehouse.gov"
    )
    kremlin = ok(api.get("/documents", params={"publisher": "kremlin.ru"}))
    assert {d["id"] for d in kremlin["items"]} == {BLOOMBERG, "kremlin-en-54071"}
    page2 = ok(api.get("/documents", params={"size": 5, "page": 2}))
    assert [d["id"] for d in page2["items"]] == [d["id"] for d in listed["items"][5:10]]
    assert page2["links"]["prev"] and page2["links"]["next"]


def test_document_with_turns_revisions_and_citation(api: httpx.Client, seed_id: str) -> None:
    doc = ok(api.get(f"/documents/{seed_id}"))
    revision = hashlib.sha256(SEED.read_bytes()).hexdigest()[:12]  # docs/record.md
    assert (doc["id"], doc["revision"], doc["title"]) == (seed_id, revision, SEED_TITLE)
    assert (doc["date"], doc["lang"], doc["publisher"]) == ("2018-12-09", "en", "mid.ru")
    turns = doc["turns"]
    assert len(turns) == 18  # nine "Question:" and nine "Sergey Lavrov:" paragraphs
    assert [t["n"] for t in turns] == list(range(1, 19))
    assert turns[0]["text"] == (
        "Which of Kazakhstan’s peace initiatives do you see as the most important and why?"
    )
    assert turns[1]["speaker"] == "Sergey Lavrov" and turns[1]["answers"] == 1
    assert turns[1]["pinned"] == f"{seed_id}@{revision}#t2"
    assert revision in [r["revision"] for r in doc["revisions"]]
    cite = doc["citation"]
    assert cite["pinned"] == f"{seed_id}@{revision}"
    assert cite["url"].endswith(f"/d/{seed_id}@{revision}")
    assert cite["bibtex"].startswith("@misc{") and f"title = {{{SEED_TITLE}}}" in cite["bibtex"]
    assert "year = {2018}" in cite["bibtex"] and cite["pinned"] in cite["bibtex"]
    assert cite["csl"]["issued"]["date-parts"] == [[2018, 12, 9]]
    assert cite["csl"]["title"] == SEED_TITLE and cite["csl"]["id"] == cite["pinned"]
    assert SEED_TITLE in cite["text"] and "2018-12-09" in cite["text"]


def test_pinned_revision(api: httpx.Client, seed_id: str) -> None:
    revision = hashlib.sha256(SEED.read_bytes()).hexdigest()[:12]
    pinned = ok(api.get(f"/documents/{seed_id}@{revision}"))
    assert (pinned["id"], pinned["revision"], len(pinned["turns"])) == (seed_id, revision, 18)
    wrong = "0" * 12 if revision != "0" * 12 else "1" * 12
    message = error(api.get(f"/documents/{seed_id}@{wrong}"), 404)
    assert wrong in message
    turn = ok(api.get(f"/documents/{seed_id}@{revision}/turns/2"))
    assert turn["turn"]["pinned"] == f"{seed_id}@{revision}#t2"
    error(api.get(f"/documents/{seed_id}@{wrong}/turns/2"), 404)


def test_single_turn_with_its_question(api: httpx.Client, seed_id: str) -> None:
    view = ok(api.get(f"/documents/{seed_id}/turns/18"))
    assert view["turn"]["text"].startswith("It is his private agenda.")
    assert view["turn"]["role"] == "answer" and view["turn"]["speaker"] == "Sergey Lavrov"
    assert view["question"]["n"] == 17 and view["question"]["text"] == "Vladimir Solovyov does."
    assert view["document"]["title"] == SEED_TITLE and "turns" not in view["document"]
    assert view["citation"]["pinned"].endswith("#t18") and PINNED.match(view["citation"]["pinned"])
    first = ok(api.get(f"/documents/{seed_id}/turns/1"))
    assert first["turn"]["role"] == "question" and first["question"] is None
    error(api.get(f"/documents/{seed_id}/turns/19"), 404)
    error(api.get(f"/documents/{seed_id}/turns/two"), 400)


# -- speakers and stats --------------------------------------------------------------------------


def test_speakers(api: httpx.Client) -> None:
    suggestions = ok(api.get("/speakers", params={"q": "lav"}))["items"]
    names = [s["name"] for s in suggestions]
    assert "Sergey Lavrov" in names and all("lav" in n.lower() for n in names)
    lavrov = ok(api.get("/speakers/Sergey Lavrov"))
    assert lavrov["name"] == "Sergey Lavrov"
    assert lavrov["turns"] >= 9  # the seed alone has nine of his answers
    # the seed, India Today (2022) and Tucker Carlson (2024) are his interviews in English
    assert {"2018", "2022", "2024"} <= set(lavrov["by_year"])
    for part in ("by_year", "by_kind", "by_role"):
        assert sum(lavrov[part].values()) == lavrov["turns"], part
    top = ok(api.get("/speakers", params={"size": 100}))["items"]
    assert next(s for s in top if s["name"] == "Sergey Lavrov")["turns"] == lavrov["turns"]
    error(api.get("/speakers/Nobody Atall"), 404)


def test_stats_match_the_archive(api: httpx.Client, server: Server) -> None:
    stats = ok(api.get("/stats"))
    with LAVROV_CSV.open(encoding="utf-8", newline="") as f:
        csv.field_size_limit(1 << 30)
        rows = list(csv.DictReader(f))
    pages = [p for p in SEARCH_INPUTS if p.suffix != ".csv"]
    # rows 3 and 4 of the CSV are two parts of one interview (one URL): one document
    assert stats["documents"] == len(pages) + len(rows) - 1 == 12
    # languages: seed, 2 kremlin, fmprc en, White House in English; fmprc zh; the CSV rows by
    # the script of their titles
    russian = sum(bool(re.search("[а-яА-Я]", r["title"])) for r in rows)
    assert stats["by_lang"] == {"en": 5 + len(rows) - 1 - russian, "ru": russian, "zh": 1}
    assert stats["by_year"]["(none)"] == 1 and stats["by_year"]["2016"] == 2
    (turns,) = rows_of(server.db, "SELECT count(*) AS n FROM turns")
    turns = turns["n"]
    roles = {r["role"]: r["n"] for r in rows_of(
        server.db, "SELECT role, count(*) AS n FROM turns GROUP BY role")}  # fmt: skip
    publishers = {r["p"]: r["n"] for r in rows_of(
        server.db, "SELECT coalesce(publisher, '(none)') AS p, count(*) AS n FROM documents"
        " GROUP BY coalesce(publisher, '(none)')")}  # fmt: skip
    assert stats["turns"] == turns and stats["by_role"] == roles
    assert stats["by_publisher"] == publishers
    assert sum(stats["by_kind"].values()) == stats["documents"]


def test_openapi_lists_every_route(api: httpx.Client) -> None:
    spec = ok(api.get("/openapi.json"))
    paths = {p: set(ops) for p, ops in spec["paths"].items()}
    expected = {
        "/api/v1/search": {"get"}, "/api/v1/facets": {"get"}, "/api/v1/search/export": {"get"},
        "/api/v1/kwic": {"get"}, "/api/v1/documents": {"get", "post"},
        "/api/v1/documents/{doc_ref}": {"get"}, "/api/v1/documents/{doc_ref}/turns/{n}": {"get"},
        "/api/v1/speakers": {"get"}, "/api/v1/speakers/{name}": {"get"}, "/api/v1/stats": {"get"},
    }  # fmt: skip
    for path, ops in expected.items():
        assert ops <= paths.get(path, set()), path
    search_params = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "speaker", "role", "kind", "lang", "publisher", "from", "to"} <= search_params


HEAVY_ROUTES = ("/trend", "/who-says", "/collocations", "/keyness", "/frequencies", "/verify",
                "/subcorpus", "/subcorpus/summary", "/kwic")  # fmt: skip


def test_openapi_documents_every_status_and_parameter(api: httpx.Client) -> None:
    spec = ok(api.get("/openapi.json"))
    error_ref = {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["schemas"]["Error"]["required"] == ["error", "message"]
    for path, operations in spec["paths"].items():
        route = path.removeprefix("/api/v1")
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "422" not in codes and {"400", "500"} <= codes, (method, path)  # 422: never
            for code, answer in op["responses"].items():
                if code >= "400":
                    assert answer["content"] == {"application/json": {"schema": error_ref}}
            if "{" in path:
                assert "404" in codes, path
            if route in HEAVY_ROUTES:
                assert "Retry-After" in op["responses"]["503"]["headers"], path
            if any(p["name"] == "authorization" for p in op.get("parameters", [])):
                assert {"401", "403"} <= codes, (method, path)
    search = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert set(search["sort"]["enum"]) == {"relevance", "date", "oldest"}
    assert re.fullmatch(search["kind"]["pattern"], "speech,interview")
    assert not re.fullmatch(search["kind"]["pattern"], "memo")
    assert re.fullmatch(search["role"]["pattern"], "answer")
    bound, day = search["from"]["anyOf"]  # a year or a month; or a day that exists
    for value, fits in (("2016", True), ("2016-05", True), ("2016-13", False), ("May", False)):
        assert bool(re.fullmatch(bound["pattern"], value)) is fits
    assert day == {"type": "string", "format": "date"}
    for route in ("/collocations", "/kwic", "/who-says", "/verify"):
        params = spec["paths"][f"/api/v1{route}"]["get"]["parameters"]
        assert [p["required"] for p in params if p["name"] == "q"] == [True], route
    trend = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/trend"]["get"]["parameters"]}
    assert trend["by"]["enum"] == ["day", "month", "quarter", "year"]
    assert trend["format"]["enum"] == ["json", "csv"]
    export = spec["paths"]["/api/v1/search/export"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/json"} <= set(export)


def conforms(spec: dict, model: str, body: object) -> None:
    """``body`` is valid against the spec's component schema ``model``."""
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"#/components/schemas/{model}", "components": spec["components"]}
    Draft202012Validator(schema).validate(body)


def test_answers_match_their_documented_schemas(api: httpx.Client) -> None:
    from jsonschema import ValidationError

    spec = ok(api.get("/openapi.json"))
    seed_2018 = {"q": "Kazakhstan", "from": "2018", "to": "2018"}  # the seed's 11 turns
    found = ok(api.get("/search", params=seed_2018))
    conforms(spec, "SearchOut", found)
    assert found["total"] == 11
    conforms(spec, "FacetsOut", ok(api.get("/facets", params=seed_2018)))
    listed = ok(api.get("/documents"))
    conforms(spec, "DocumentsOut", listed)
    assert listed["total"] == 12  # 13 inputs: the two Carlson rows are one interview
    conforms(spec, "StatsOut", ok(api.get("/stats")))
    lines = ok(api.get("/kwic", params=seed_2018))
    conforms(spec, "KwicOut", lines)
    assert lines["count"] >= 11
    trend = ok(api.get("/trend", params={"q": "Kazakhstan"}))
    conforms(spec, "TrendOut", trend)
    assert trend["series"][0]["hits"][trend["periods"].index("2018")] == 11
    speakers = ok(api.get("/speakers"))
    conforms(spec, "SpeakersOut", speakers)
    top = speakers["items"][0]["name"]
    conforms(spec, "SpeakerSummary", ok(api.get(f"/speakers/{top}")))
    conforms(spec, "PeopleOut", ok(api.get("/people")))
    conforms(spec, "EntitiesOut", ok(api.get("/entities")))
    kazakhstan = ok(api.get("/entities/KZ"))
    conforms(spec, "EntitySummary", kazakhstan)
    assert kazakhstan["id"] == "country:KZ" and kazakhstan["by_year"]["2018"] >= 11
    conforms(spec, "Collocations", ok(api.get("/collocations", params={"q": "Kazakhstan"})))
    conforms(spec, "Keyness", ok(api.get("/keyness", params={"a": "Kazakhstan", "b": ""})))
    with pytest.raises(ValidationError):  # the schemas do check: a count that is not a number
        conforms(spec, "SearchOut", {**found, "total": "eleven"})


@pytest.mark.parametrize(
    ("route", "params"),
    [("/search", {"from": "2020-02-30"}), ("/search", {"to": "2021-02-29"}),
     ("/trend", {"from": "2019-06-31"}), ("/verify", {"to": "2022-04-31"}),
     ("/subcorpus/summary", {"from": "2023-02-29"})],
)  # fmt: skip
def test_impossible_dates_are_400(api: httpx.Client, route: str, params: dict) -> None:
    (value,) = params.values()
    message = error(api.get(route, params={"q": "Kazakhstan", **params}), 400)
    assert f"{value!r} is not a date" in message


def test_a_leap_day_is_a_date(api: httpx.Client) -> None:
    assert ok(api.get("/search", params={"q": "Kazakhstan", "to": "2020-02-29"}))["total"] >= 11


# -- errors --------------------------------------------------------------------------------------


def test_malformed_query_points_at_the_problem(api: httpx.Client) -> None:
    message = error(api.get("/search", params={"q": "(sanctions OR EU"}), 400)
    assert "never closed" in message
    query_line, caret_line = message.splitlines()[-2:]
    assert query_line.strip() == "(sanctions OR EU" and caret_line.strip() == "^"
    assert query_line.index("(") == caret_line.index("^")
    message = error(api.get("/search", params={"q": "sanctions AND"}), 400)
    assert "AND" in message and message.splitlines()[-1].strip() == "^"
    assert "speakr" in error(api.get("/search", params={"q": "speakr:lavrov"}), 400)


@pytest.mark.parametrize(
    ("params", "word"),
    [({"role": "listener"}, "role"), ({"kind": "memo"}, "kind"), ({"sort": "loudest"}, "sort"),
     ({"page": "0"}, "page"), ({"size": "1000"}, "size"), ({"from": "2016-13"}, "2016-13")],
)  # fmt: skip
def test_bad_parameters_are_400(api: httpx.Client, params: dict, word: str) -> None:
    assert word in error(api.get("/search", params={"q": "Kazakhstan", **params}), 400)


def test_not_found_is_json(api: httpx.Client) -> None:
    assert "no-such-document" in error(api.get("/documents/no-such-document"), 404)
    error(api.get("/no/such/route"), 404)
    error(api.get("/documents/no-such-document/turns/1"), 404)
    error(api.delete("/stats"), 405)


def test_every_response_carries_the_csp(api: httpx.Client, server: Server) -> None:
    for path in CSP_PATHS:
        has_csp(api.get(path))
    has_csp(httpx.get(f"{server.url}/no-such-page"))


def test_options_lists_every_allowed_method(server: Server) -> None:
    r = httpx.options(f"{server.url}/api/v1/documents")
    assert r.status_code == 204
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    r = httpx.options(f"{server.url}/api/v1/search")
    assert r.status_code == 204 and set(r.headers["allow"].split(", ")) == {
        "GET", "HEAD", "OPTIONS"}  # fmt: skip
    assert httpx.options(f"{server.url}/api/v1/no-such-route").status_code == 404


def test_several_speakers_mean_either(api: httpx.Client) -> None:
    params = [("q", "Kazakhstan"), ("speaker", "Sergey Lavrov"), ("speaker", "Hua Chunying")]
    res = ok(api.get("/search", params=[*params, ("size", "100")]))
    assert {h["speaker"] for h in res["hits"]} == {"Sergey Lavrov", "Hua Chunying"}
    both = "Sergey Lavrov,Hua Chunying"
    comma = ok(api.get("/search", params={"q": "Kazakhstan", "speaker": both}))
    assert comma["total"] == res["total"]


def test_deep_pages_are_refused(api: httpx.Client) -> None:
    for path in ("/documents", "/speakers", "/people", "/entities", "/search"):
        error(api.get(path, params={"page": str(10**20)}), 400)


def test_path_traversal_never_serves_files(server: Server) -> None:
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    assert host and port
    for path in TRAVERSALS:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        assert r.status == 404, path
        assert b"root:" not in body and b"[project]" not in body, path


# -- adding documents ----------------------------------------------------------------------------


def test_two_files_under_one_name_are_two_documents(upload_server: Server) -> None:
    # one name, two different pages (the seed with its country renamed twice): neither may
    # replace the other as if it were an edit of the same file
    seed = SEED.read_text(encoding="utf-8")
    counts = []
    for country in ("Atlantis", "Lemuria"):
        page = seed.replace("Kazakhstan", country).encode()
        r = upload(upload_server, page, "page.txt", SERVER_TOKEN)
        assert r.status_code == 201, r.text
        counts.append(r.json()["counts"]["new"])
    assert counts == [1, 1]
    base = f"{upload_server.url}/api/v1/search"
    for country in ("Atlantis", "Lemuria"):
        assert httpx.get(base, params={"q": country}).json()["total"] > 0, country


@pytest.fixture(scope="module")
def upload_server(
    request: pytest.FixtureRequest,
    search_db: str,
    server: Server,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """A server of its own for uploads (the shared one stays as the other tests expect it)."""
    db = served_copy(request, search_db, server, tmp_path_factory.mktemp("upload"))
    srv = start_server(db, token=SERVER_TOKEN)
    yield srv
    stop_server(srv)


def upload(srv: Server, data: bytes, name: str, token: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    files = {"file": (name, data, "text/html")}
    return httpx.post(f"{srv.url}/api/v1/documents", files=files, headers=headers, timeout=60)


def test_upload_needs_the_token(upload_server: Server) -> None:
    data = UPLOAD.read_bytes()
    r = upload(upload_server, data, UPLOAD.name, None)
    error(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"
    error(upload(upload_server, data, UPLOAD.name, SERVER_TOKEN + "x"), 401)
    error(upload(upload_server, data, UPLOAD.name, ""), 401)


def test_upload_is_ingested_and_searchable(upload_server: Server) -> None:
    base = f"{upload_server.url}/api/v1"
    assert httpx.get(f"{base}/search", params={"q": UPLOAD_PHRASE}).json()["total"] == 0
    held = httpx.get(f"{base}/stats").json()["documents"]
    data = UPLOAD.read_bytes()
    r = upload(upload_server, data, UPLOAD.name, SERVER_TOKEN)
    assert r.status_code == 201, r.text
    has_csp(r)
    body = r.json()
    assert body["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    (doc_id,) = body["documents"]
    assert doc_id == "fmprc-en-t1740278"  # docs/record.md: publisher-lang-publisher's own id
    # the title: "... Daily Briefing Online on February 4, 2020"; "214" is in an answer
    (hit,) = httpx.get(f"{base}/search", params={"q": UPLOAD_PHRASE}).json()["hits"]
    assert (hit["doc_id"], hit["date"], hit["role"]) == (doc_id, "2020-02-04", "answer")
    assert hit["revision"] == hashlib.sha256(data).hexdigest()[:12]
    assert hit["question"] is not None and hit["question"]["text"].startswith("In the 146th WHO")
    assert httpx.get(f"{base}/stats").json()["documents"] == held + 1
    again = upload(upload_server, data, UPLOAD.name, SERVER_TOKEN)
    assert again.status_code == 201 and again.json()["counts"]["unchanged"] == 1
    assert again.json()["counts"]["new"] == 0
    assert httpx.get(f"{base}/search", params={"q": UPLOAD_PHRASE}).json()["total"] == 1


def test_upload_name_cannot_leave_the_upload_folder(upload_server: Server) -> None:
    r = upload(upload_server, b"<html><body></body></html>", "../../../escaped.html",
               SERVER_TOKEN)  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["counts"]["new"] == 0  # furniture only: nothing to store
    folder = upload_server.folder  # beside the SQLite file, or the PostgreSQL data dir
    (stored,) = folder.rglob("escaped.html")
    assert stored.parent.parent.name.endswith("uploads")  # <uploads>/<one upload>/escaped.html
    assert not (folder.parent / "escaped.html").exists()
    assert not (folder.parent.parent / "escaped.html").exists()


@pytest.fixture(scope="module")
def capped_server(
    request: pytest.FixtureRequest,
    search_db: str,
    server: Server,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """A server without a token and with a 4 KiB cap on request bodies."""
    folder = tmp_path_factory.mktemp("capped")
    db = served_copy(request, search_db, server, folder)
    port = free_port()
    cmd = [sys.executable, "-m", "communique.cli", "serve", *db_options(db), "--port", str(port),
           "--max-body", "4096"]  # fmt: skip
    log = folder / "serve.log"
    with log.open("wb") as out:
        proc = spawn(cmd, stdout=out, stderr=subprocess.STDOUT)
    srv = Server(f"http://127.0.0.1:{port}", db, proc, folder)
    deadline = time.monotonic() + 60
    try:
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                httpx.get(f"{srv.url}/api/v1/stats", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the capped server did not answer"
                time.sleep(0.2)
    except BaseException:
        stop_process(proc)
        raise
    yield srv
    stop_server(srv)


def test_body_over_the_cap_is_413(capped_server: Server) -> None:
    data = UPLOAD.read_bytes()
    assert len(data) > 4096
    message = error(upload(capped_server, data, UPLOAD.name, SERVER_TOKEN), 413)
    assert "4096" in message

    def chunks() -> Iterator[bytes]:  # no content-length: the cap applies as the body streams
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.html"\r\n\r\n'
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]
        yield b"\r\n--b--\r\n"

    r = httpx.post(
        f"{capped_server.url}/api/v1/documents", content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b",
                 "authorization": f"Bearer {SERVER_TOKEN}"},
    )  # fmt: skip
    assert "content-length" not in r.request.headers
    error(r, 413)
    ok(httpx.get(f"{capped_server.url}/api/v1/stats"))  # the server is still fine


def test_upload_without_a_server_token_is_403(capped_server: Server) -> None:
    message = error(upload(capped_server, b"<html>small</html>", "small.html", SERVER_TOKEN), 403)
    assert "token" in message
