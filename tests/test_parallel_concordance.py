"""The parallel concordance on the real fmprc en/zh pair of 2019-03-20 (Geng Shuang / 耿爽):
search and concordance hits with their aligned passage in the other language version."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request

from communique.enrich.versions import parallel_passages
from tests.conftest import Server, db_options, open_archive

EN_ID, ZH_ID = "fmprc-en-t1647080", "fmprc-zh-t1646964"
# the Chinese answer's second paragraph (read on the page): 27 years of diplomatic ties
ZH_SECOND = "中哈建交27年来，纳扎尔巴耶夫总统始终致力于中哈友好"
ZH_FIRST = "纳扎尔巴耶夫总统是哈萨克斯坦共和国的缔造者"  # "President Nazarbayev, founder of ..."
FMPRC = "fmprc.gov.cn"  # the pair archive also holds the seed (mid.ru), which has no version


def test_a_place_in_a_turn_gives_the_aligned_paragraph(pair_db: str) -> None:
    with open_archive(pair_db) as archive:
        en = archive.get(EN_ID)
        answer = next(t for t in en.turns if t.n == 2)  # "President Nazarbayev, founder of ..."
        at = answer.text.index("27 years ago")  # in its second paragraph
        [zh] = parallel_passages(archive.store, EN_ID, 2, at)
        assert (zh.doc_id, zh.lang, zh.turns, zh.paragraph) == (ZH_ID, "zh", (2,), True)
        assert zh.text.startswith(ZH_SECOND) and "\n" not in zh.text
        # without a place: the whole aligned turn, its four paragraphs
        [whole] = parallel_passages(archive.store, EN_ID, 2)
        assert not whole.paragraph and whole.text.count("\n\n") == 3
        # and back from Chinese: the question of turn 1
        [back] = parallel_passages(archive.store, ZH_ID, 1, 0)
        assert back.doc_id == EN_ID and back.text.startswith("Yesterday President Nazarbayev")


def _get(server: Server, path: str, **params: str) -> str:
    url = f"{server.url}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode()


def test_api_search_and_kwic_carry_the_parallel_passages(pair_server: Server) -> None:
    kwic = json.loads(
        _get(pair_server, "/api/v1/kwic", q="Nazarbayev", publisher=FMPRC, parallel="1")
    )
    assert kwic["count"] >= 3
    for line in kwic["lines"]:
        [p] = line["parallel"]
        assert p["lang"] == "zh" and p["doc_id"] == ZH_ID and "纳扎尔巴耶夫" in p["text"]
    plain = json.loads(_get(pair_server, "/api/v1/kwic", q="Nazarbayev", lang="en"))
    assert "parallel" not in plain["lines"][0]
    found = _get(pair_server, "/api/v1/search", q="纳扎尔巴耶夫", parallel="1", lang="zh")
    hits = json.loads(found)["hits"]
    assert hits and all(h["parallel"][0]["doc_id"] == EN_ID for h in hits)
    assert any("Nazarbayev" in h["parallel"][0]["text"] for h in hits)


def test_pages_show_the_other_version_on_request(pair_server: Server) -> None:
    page = _get(pair_server, "/kwic", q="Nazarbayev", lang="en")
    assert "Show the other language versions" in page and "parallel-passage" not in page
    page = _get(pair_server, "/kwic", q="Nazarbayev", publisher=FMPRC, lang="en", parallel="1")
    # the keyword in the first paragraph of answer 2: the first paragraph of the Chinese answer
    assert 'class="parallel-passage" data-lang="zh"' in page and ZH_FIRST in page
    assert ZH_SECOND not in page
    assert f'href="/d/{ZH_ID}#t2"' in page and "Hide the other language versions" in page
    page = _get(pair_server, "/search", q="Nazarbayev", publisher=FMPRC, parallel="1")
    assert 'data-lang="zh"' in page and "纳扎尔巴耶夫" in page


def test_cli_parallel(pair_db: str) -> None:
    cmd = [sys.executable, "-m", "communique.cli", "kwic", "Nazarbayev", "--lang", "en",
           "--publisher", FMPRC, "--parallel", *db_options(pair_db)]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"zh {ZH_ID}#t2" in run.stdout and "纳扎尔巴耶夫" in run.stdout
    cmd = [sys.executable, "-m", "communique.cli", "search", "Nazarbayev", "--parallel", "--json",
           "--publisher", FMPRC, "--lang", "en", *db_options(pair_db)]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    hits = [json.loads(x) for x in run.stdout.splitlines() if x.startswith("{")]
    assert hits and all(h["parallel"][0]["doc_id"] == ZH_ID for h in hits)
