"""Version links: fmprc en/zh same-day pairs; Kremlin and mid.ru twins made from real pages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from communique.enrich.versions import link_versions, version_key
from communique.model import Document
from communique.store import open_store
from communique.structure.ids import document_id, publisher_doc_id
from tests.conftest import CORPUS, SEED, ingest_into

FMPRC = CORPUS / "fmprc_en_zh"
EN = FMPRC / "en" / "regular_presscon" / "t1643067.html"  # Lu Kang, 2019-03-05
ZH = FMPRC / "zh" / "regular_presscon" / "t1643000.html"  # 陆慷, 2019年3月5日


def _docs(db: str, inputs: list[Path]) -> list[Document]:
    ingest_into(db, inputs)
    store = open_store(db)
    try:
        return list(store.documents())
    finally:
        store.close()


def _twin(doc: Document, *, lang: str, url: str, publisher: str) -> Document:
    pid = publisher_doc_id(publisher, url)
    new_id = document_id(
        publisher=publisher,
        lang=lang,
        publisher_id=pid,
        url=url,
        title=doc.title,
        date=doc.date,
        text="",
    )
    return dataclasses.replace(doc, id=new_id, lang=lang, url=url)


def test_fmprc_same_day_pair_is_linked(archive_target: str) -> None:
    docs = _docs(archive_target, [EN, ZH])
    by_lang = {d.lang: d for d in docs}
    assert (
        version_key(by_lang["en"])
        == version_key(by_lang["zh"])
        == "fmprc.gov.cn:2019-03-05:regular"
    )
    links = link_versions(docs)
    assert [(v.a_id, v.b_id, v.method) for v in links] == [
        ("fmprc-en-t1643067", "fmprc-zh-t1643000", "same-day")
    ]


def test_fmprc_other_day_or_kind_is_not_linked(archive_target: str) -> None:
    other_day = FMPRC / "zh" / "regular_presscon" / "t1417538.html"  # 2016-11-22
    docs = _docs(archive_target, [EN, other_day])
    assert link_versions(docs) == []


def test_kremlin_russian_twin_shares_the_id(archive_target: str) -> None:
    (en,) = _docs(archive_target, [CORPUS / "kremlin_en" / "html" / "052830.html.gz"])
    assert en.lang == "en" and en.url and "en.kremlin.ru" in en.url
    ru = _twin(
        en, lang="ru", url=en.url.replace("en.kremlin.ru", "kremlin.ru"), publisher="kremlin.ru"
    )
    assert ru.id == "kremlin-ru-52830"
    assert version_key(en) == version_key(ru) == "kremlin.ru:52830"
    other = _twin(
        en, lang="ru", url="http://kremlin.ru/events/president/news/52831", publisher="kremlin.ru"
    )
    links = link_versions([en, ru, other])
    assert [(v.a_id, v.b_id, v.method, v.score) for v in links] == [
        ("kremlin-en-52830", "kremlin-ru-52830", "shared-id", 1.0)
    ]


def test_midru_seed_twin_shares_the_url_id(archive_target: str) -> None:
    (seed,) = _docs(archive_target, [SEED])
    assert seed.versions == ["en", "ru"]  # the page names en-GB / ru-RU
    assert version_key(seed) is None  # the seed carries no URL
    url_id = "3436479"  # an illustrative mid.ru id: the twins share whatever id the site gives
    en = _twin(
        seed, lang="en", url=f"https://mid.ru/en/foreign_policy/news/{url_id}", publisher="mid.ru"
    )
    ru = _twin(
        seed, lang="ru", url=f"https://mid.ru/ru/foreign_policy/news/{url_id}", publisher="mid.ru"
    )
    assert version_key(en) == version_key(ru) == f"mid.ru:{url_id}"
    links = link_versions([en, ru])
    assert [(v.a_id, v.b_id, v.method) for v in links] == [
        (f"midru-en-{url_id}", f"midru-ru-{url_id}", "shared-id")
    ]


def test_content_fallback_links_keyless_documents(archive_target: str) -> None:
    # 2019-05-13: both versions carry numbers ($300 billion, May 11...), the fallback's anchor
    pair = [
        FMPRC / "en" / "regular_presscon" / "t1663021.html",
        FMPRC / "zh" / "regular_presscon" / "t1662926.html",
    ]
    docs = _docs(archive_target, pair)
    keyless = [dataclasses.replace(d, title=None) for d in docs]  # no title: no fmprc key
    assert all(version_key(d) is None for d in keyless)
    links = link_versions(keyless)
    assert len(links) == 1 and links[0].method == "content" and links[0].score >= 0.5
