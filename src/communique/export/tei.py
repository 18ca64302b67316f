"""A subcorpus as TEI XML in the ParlaMint manner.

One file per document (``<doc id>.xml``, every turn of each document the selection touches) and
a corpus root file (``communique.xml``, a ``teiCorpus`` whose header holds the ``listPerson``
of every speaker id the documents point at and the taxonomies their ``ana`` and ``catRef``
point at, and which includes the documents with XInclude). Every file, and the root with its
XIncludes resolved, is valid against TEI-all and Parla-CLARIN (docs/export.md).

A turn is ``<u xml:id="<doc>.t<n>" who="#<person>" ana="#<role>">`` with one ``<seg>`` per
paragraph (the stored text split on blank lines: joining the segs' texts with ``"\\n\\n"`` gives
the text back exactly), preceded by ``<note type="speaker">`` with the label as printed. An
answer has ``corresp="#<doc>.t<question n>"``; an interpreted turn also ``ana="... #interpreted"``,
a turn whose role is read from its wording ``ana="... #role-inferred"``, and one whose inferred
role reads two ways also ``#role-uncertain``.

``who``: the register's id for a resolved speaker (``sergey-lavrov``; outlets and journalists
with ``.`` for ``:``, ``outlet.reuters``); else an id local to the document, from the speaker's
name (``<doc>.the-president``) or, for a role word such as ``Question`` or ``Q``, the anonymous
speaker of that role (``<doc>.anonymous-question``).

Characters XML 1.0 forbids (C0 controls other than tab and newline, carriage return, which a
parser would turn into a newline, U+FFFE/U+FFFF and lone surrogates) are written in turn text as
``<g type="char" n="U+0007"/>``, so the text still round-trips exactly (:func:`seg_text`); in
header fields (titles, names, labels) they are replaced by U+FFFD. Everything else is escaped by
``xml.etree.ElementTree``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from communique.cite import display_title, publisher_name
from communique.export.subcorpus import (
    Guard,
    _direct,
    describe,
    doc_ids,
    documents,
    require,
    select,
)
from communique.model import KINDS, Document, Turn
from communique.search.index import SearchIndex
from communique.search.selection import Selection
from communique.store.sql import SQLStore

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XI_NS = "http://www.w3.org/2001/XInclude"
ET.register_namespace("xi", XI_NS)
# TEI as the default namespace. Not register_namespace(""): that would take "" away from any
# other namespace given it (Atom in track/feed.py), whose documents would get ns0: prefixes
ET._namespace_map[TEI_NS] = ""  # type: ignore[attr-defined]
ROOT_FILE = "communique.xml"
ROLE_WORDS = {
    "question": ("Question", "a question put to the speaker (journalist, interviewer)"),
    "answer": ("Answer", "an answer to the question before it"),
    "statement": ("Statement", "a prepared statement or opening remarks"),
    "remark": ("Remark", "a remark outside the question and answer sequence"),
    "moderator": ("Moderator", "the chair or moderator giving the floor"),
    "interpreted": ("Interpreted", "the turn is an interpreter's rendering"),
    "role-inferred": ("Role inferred", "the role is read from the turn's wording, not the page"),
    "role-uncertain": ("Role uncertain", "the inferred role reads two ways (communique's "
                       "structure/doubts.py): check it before citing it"),
}
KIND_WORDS = {
    "interview": "an interview", "press_conference": "a press conference",
    "briefing": "a press briefing", "speech": "a speech", "statement": "a statement",
    "meeting": "a meeting or talks", "article": "an article", "comment": "a comment",
    "news": "a news item", "phone_call": "a telephone conversation",
    "other": "another kind of document",
}  # fmt: skip
LANGUAGES = {"en": "English", "ru": "Russian", "zh": "Chinese"}
PROJECT = (
    "communique: an open-source archive of diplomatic transcripts (the Kremlin, the Chinese "
    "and Russian foreign ministries, the White House, the State Department), with each "
    "transcript's turns, speakers and roles."
)
# words for extent: runs of letters or digits, or one CJK character
_WORDS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_\u3400-\u9fff\uf900-\ufaff]+")
# what XML 1.0 does not allow in a document (and \r, which parsers turn into \n)
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
Progress = Callable[[int], None]


def _t(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


def _xml(name: str) -> str:
    return f"{{{XML_NS}}}{name}"


def clean(value: str | None) -> str:
    """Header text: characters XML cannot hold replaced by U+FFFD."""
    return _FORBIDDEN.sub("\ufffd", value or "")


def xml_id(value: str) -> str:
    """``value`` as an XML name (NCName): ``:`` and other characters a name cannot hold become
    ``.`` or ``-``; a name that cannot start as it does gets an ``id.`` prefix."""
    out = value.replace(":", ".")
    out = re.sub(r"[^\w.\-]+", "-", out).strip("-") or "x"
    if not re.match(r"[^\W\d]", out):
        out = "id." + out
    return out


def _slug(value: str) -> str:
    return re.sub(r"[^\w]+", "-", value.lower()).strip("-_") or "x"


def who_id(doc: Document, turn: Turn) -> str:
    """The speaker id a turn's ``who`` points at (without the ``#``)."""
    if turn.person:
        return xml_id(turn.person)
    local = xml_id(doc.id)
    if turn.speaker:
        return f"{local}.{_slug(turn.speaker)}"
    if turn.affiliation:
        return f"{local}.{_slug(turn.affiliation)}"
    return f"{local}.anonymous-{turn.role}"


def paragraphs(text: str) -> list[str]:
    """A turn's text as the segs hold it: split on blank lines (``"\\n\\n"``), nothing dropped,
    so ``"\\n\\n".join(paragraphs(text)) == text``."""
    return text.split("\n\n")


def _fill(elem: ET.Element, text: str) -> None:
    """``text`` as the content of ``elem``, forbidden characters as ``<g>`` elements."""
    pos = 0
    last: ET.Element | None = None
    for m in _FORBIDDEN.finditer(text):
        chunk = text[pos : m.start()]
        if last is None:
            elem.text = (elem.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk
        last = ET.SubElement(elem, _t("g"), {"type": "char", "n": f"U+{ord(m.group()):04X}"})
        pos = m.end()
    rest = text[pos:]
    if last is None:
        elem.text = rest
    else:
        last.tail = rest
    if text != text.strip() or "\n" in text:
        elem.set(_xml("space"), "preserve")


def seg_text(seg: ET.Element) -> str:
    """The text a ``<seg>`` holds, ``<g type="char">`` read back as its character."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag == _t("g") and child.get("type") == "char":
            parts.append(chr(int(child.get("n", "U+FFFD")[2:], 16)))
        parts.append(child.tail or "")
    return "".join(parts)


def turn_text(u: ET.Element) -> str:
    """The stored text of a turn, from its ``<u>``."""
    return "\n\n".join(seg_text(s) for s in u.findall(_t("seg")))


def _sub(parent: ET.Element, name: str, text: str | None = None, /, **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, _t(name), {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        elem.text = clean(text)
    return elem


def licence_url(licence: str | None) -> str | None:
    """The URL of a Creative Commons licence named as publishers write it (``CC BY 4.0``,
    ``CC BY-SA 3.0``, ``CC0 1.0``); None for anything else."""
    if not licence:
        return None
    if licence.startswith(("http://", "https://")):
        return licence
    m = re.fullmatch(r"\s*CC[ -]?(BY(?:-(?:NC|SA|ND)){0,2})\s+(\d\.\d)\s*", licence, re.I)
    if m:
        return f"https://creativecommons.org/licenses/{m[1].lower()}/{m[2]}/"
    m = re.fullmatch(r"\s*CC0\s*(1\.0)?\s*", licence, re.I)
    if m:
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    return None


def _availability(parent: ET.Element, licences: Iterable[str | None], words: str) -> None:
    """``availability``: ``status="free"`` with a ``licence`` per licence URL when every
    document has a known open licence, else ``status="unknown"``; ``words`` as a ``p``."""
    urls = [licence_url(x) for x in licences]
    free = bool(urls) and all(urls)
    avail = _sub(parent, "availability", status="free" if free else "unknown")
    for url in dict.fromkeys(u for u in urls if u):
        _sub(avail, "licence", url, target=url)
    _sub(avail, "p", words).set(_xml("lang"), "en")


def words(text: str) -> int:
    """Words of a text for ``extent``: runs of letters or digits, each CJK character one."""
    return len(_WORDS.findall(text))


def _extent(parent: ET.Element, speeches: int, n_words: int) -> None:
    extent = _sub(parent, "extent")
    for unit, quantity in (("speeches", speeches), ("words", n_words)):
        m = _sub(extent, "measure", f"{quantity:,} {unit}", unit=unit, quantity=str(quantity))
        m.set(_xml("lang"), "en")


def _edition(parent: ET.Element, version: str) -> None:
    _sub(_sub(parent, "editionStmt"), "edition", f"communique export, parser {version}")


def _publication(parent: ET.Element) -> ET.Element:
    pub = _sub(parent, "publicationStmt")
    _sub(_sub(pub, "publisher"), "orgName", "communique archive").set(_xml("lang"), "en")
    return pub


def _project(encoding: ET.Element) -> None:
    _sub(_sub(encoding, "projectDesc"), "p", PROJECT).set(_xml("lang"), "en")


def _tags(encoding: ET.Element, counts: dict[str, int]) -> None:
    namespace = _sub(_sub(encoding, "tagsDecl"), "namespace", name=TEI_NS)
    for gi in sorted(counts):
        _sub(namespace, "tagUsage", gi=gi, occurs=str(counts[gi]))


def kind_id(kind: str) -> str:
    """The id of a kind's category in the ``kind`` taxonomy (``kind.interview``)."""
    return f"kind.{xml_id(kind)}"


def _header(doc: Document, base_url: str, exported: str, counts: dict[str, int]) -> ET.Element:
    """A document's ``teiHeader``, in ParlaMint's element order."""
    title, inferred = display_title(doc)
    header = ET.Element(_t("teiHeader"))
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    main = _sub(title_stmt, "title", title, type="main")
    if doc.lang:
        main.set(_xml("lang"), doc.lang)
    if inferred:
        _sub(title_stmt, "title", "Title supplied by the archive: the source gives none",
             type="sub").set(_xml("lang"), "en")  # fmt: skip
    kind_words = doc.kind.replace("_", " ").capitalize()
    meeting = _sub(title_stmt, "meeting", f"{kind_words}, {doc.date or 'undated'}",
                   n=doc.date or "undated", ana=f"#{kind_id(doc.kind)}")  # fmt: skip
    meeting.set(_xml("lang"), "en")
    _edition(file_desc, doc.parser_version or "unknown")
    _extent(file_desc, len(doc.turns), sum(words(t.text) for t in doc.turns))
    pub = _publication(file_desc)
    _sub(pub, "idno", f"{doc.id}@{doc.revision}", type="pinned")
    if base_url:
        _sub(pub, "idno", f"{base_url.rstrip('/')}/d/{doc.id}@{doc.revision}", type="URI")
    _availability(
        pub, [doc.license], doc.attribution or f"© {publisher_name(doc.publisher)}; see the source."
    )
    _sub(pub, "date", exported, when=exported)
    source = _sub(_sub(file_desc, "sourceDesc"), "bibl")
    _sub(source, "title", title, type="main")
    _sub(source, "publisher", publisher_name(doc.publisher))
    if doc.publisher:
        _sub(source, "idno", doc.publisher, type="publisher")
    if doc.url:
        _sub(source, "idno", doc.url, type="URI")
    if doc.date:
        _sub(source, "date", doc.date, when=doc.date)
    encoding = _sub(header, "encodingDesc")
    _project(encoding)
    _tags(encoding, counts)
    profile = _sub(header, "profileDesc")
    setting = _sub(_sub(profile, "settingDesc"), "setting")
    if doc.place:
        _sub(setting, "name", doc.place, type="place")
    _sub(setting, "date", doc.date or "undated", **({"when": doc.date} if doc.date else {}))
    lang_usage = _sub(profile, "langUsage")
    if doc.lang:
        _sub(lang_usage, "language", LANGUAGES.get(doc.lang, doc.lang), ident=doc.lang)
    _sub(_sub(profile, "textClass"), "catRef", scheme="#kind", target=f"#{kind_id(doc.kind)}")
    return header


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def document_tree(
    doc: Document, *, base_url: str = "", exported: str | None = None
) -> ET.ElementTree:
    """The TEI of one document (``exported``: the date in ``publicationStmt``, today)."""
    root = ET.Element(_t("TEI"), {_xml("id"): xml_id(doc.id)})
    if doc.lang:
        root.set(_xml("lang"), doc.lang)
    text = _sub(root, "text", ana=f"#{kind_id(doc.kind)}")
    body = _sub(text, "body")
    div = _sub(body, "div", type="debateSection")
    local = xml_id(doc.id)
    segs: list[tuple[ET.Element, str]] = []
    if doc.lead:  # the summary under the title: narration, not an utterance
        _sub(div, "note", clean(doc.lead), type="lead").set(_xml("id"), f"{local}.t0")
    for turn in doc.turns:
        if turn.label:
            _sub(div, "note", turn.label, type="speaker")
        ana = f"#{turn.role}" + (" #interpreted" if turn.interpreted else "")
        ana += " #role-inferred" if turn.role_inferred else ""
        ana += " #role-uncertain" if turn.role_uncertain else ""
        u = _sub(div, "u", who=f"#{who_id(doc, turn)}", ana=ana)
        u.set(_xml("id"), f"{local}.t{turn.n}")
        u.set("n", str(turn.n))
        if turn.answers is not None:
            u.set("corresp", f"#{local}.t{turn.answers}")
        for i, para in enumerate(paragraphs(turn.text), start=1):
            seg = _sub(u, "seg")
            seg.set(_xml("id"), f"{local}.t{turn.n}.p{i}")
            segs.append((seg, para))
    for seg, para in segs:
        _fill(seg, para)
    counts = _count_tags(text)
    root.insert(0, _header(doc, base_url, exported or today(), counts))
    ET.indent(root, space=" ")
    for seg, para in segs:  # indenting added whitespace inside the segs' <g>s: fill again
        for child in list(seg):
            seg.remove(child)
        seg.text = None
        _fill(seg, para)
    return ET.ElementTree(root)


def _count_tags(elem: ET.Element) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in elem.iter():
        if e.tag.startswith(f"{{{TEI_NS}}}"):
            gi = e.tag.split("}")[1]
            counts[gi] = counts.get(gi, 0) + 1
    return counts


def document_xml(doc: Document, *, base_url: str = "", exported: str | None = None) -> bytes:
    return _serialise(document_tree(doc, base_url=base_url, exported=exported))


def _serialise(tree: ET.ElementTree) -> bytes:
    return ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True) + b"\n"


class People:
    """Every ``who`` id met so far, with what the list of persons says about it."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    def add(self, doc: Document) -> None:
        for turn in doc.turns:
            ident = who_id(doc, turn)
            entry = self.entries.setdefault(
                ident,
                {"person": turn.person, "labels": {}, "doc": doc.id, "role": turn.role,
                 "anonymous": not (turn.person or turn.speaker or turn.affiliation)},
            )  # fmt: skip
            name = turn.speaker or turn.affiliation or turn.label
            if name:
                entry["labels"][name] = entry["labels"].get(name, 0) + 1

    def element(self) -> ET.Element:
        """The ``listPerson`` of every speaker met (it goes in the root's ``particDesc``)."""
        from communique.enrich.document import register

        people = register().people
        root = ET.Element(_t("listPerson"), {_xml("id"): "listPerson", _xml("lang"): "en"})
        _sub(root, "head", "Speakers in this export")
        for ident in sorted(self.entries):
            entry = self.entries[ident]
            person = _sub(root, "person")
            person.set(_xml("id"), ident)
            known = people.get(entry["person"]) if entry["person"] else None
            labels = sorted(entry["labels"], key=lambda k: -entry["labels"][k])
            if known is not None:
                person.set("role", known.kind)
                _sub(person, "persName", known.name)
                for alias in dict.fromkeys(known.names):
                    if alias != known.name:
                        _sub(person, "persName", alias, type="alias")
                for r in known.roles:
                    attrs = {"role": r.title}
                    if r.start:
                        attrs["from"] = r.start
                    if r.end:
                        attrs["to"] = r.end
                    _sub(person, "affiliation", r.organisation or r.country or r.title, **attrs)
            elif entry["person"]:  # an outlet or journalist the register derived, not listed
                kind, _, slug = entry["person"].partition(":")
                person.set("role", kind or "person")
                _sub(person, "persName", labels[0] if labels else slug.replace("-", " ").title())
            elif entry["anonymous"]:  # a role word (Question, Q, 问) or no label at all
                what = "questioner" if entry["role"] == "question" else f"{entry['role']} speaker"
                _sub(person, "persName", f"Anonymous {what}")
                _sub(person, "note", f"The anonymous {what} of {entry['doc']}")
            else:
                _sub(person, "persName", labels[0] if labels else "Unknown")
                _sub(person, "note", f"Not resolved to a person of the register ({entry['doc']})")
            for label in labels:
                if known is None or label != known.name:
                    _sub(person, "persName", label, type="label")
        return root


class Totals:
    """What the corpus root says about the documents: counts, languages, licences, tags."""

    def __init__(self) -> None:
        self.speeches = self.words = 0
        self.langs: dict[str, int] = {}
        self.licences: list[str | None] = []
        self.tags: dict[str, int] = {}
        self.versions: set[str] = set()

    def add(self, doc: Document, tags: dict[str, int]) -> None:
        self.speeches += len(doc.turns)
        self.words += sum(words(t.text) for t in doc.turns)
        if doc.lang:
            self.langs[doc.lang] = self.langs.get(doc.lang, 0) + 1
        self.licences.append(doc.license)
        self.versions.add(doc.parser_version or "unknown")
        for gi, n in tags.items():
            self.tags[gi] = self.tags.get(gi, 0) + n


def _taxonomy(classes: ET.Element, ident: str, head: str, cats: dict[str, tuple[str, str]]) -> None:
    taxonomy = _sub(classes, "taxonomy")
    taxonomy.set(_xml("id"), ident)
    _sub(taxonomy, "desc", head).set(_xml("lang"), "en")
    for cat_id, (term, what) in cats.items():
        cat = _sub(taxonomy, "category")
        cat.set(_xml("id"), cat_id)
        desc = _sub(cat, "catDesc")
        desc.set(_xml("lang"), "en")
        _sub(desc, "term", term).tail = f": {what}"


def corpus_tree(
    files: list[str], title: str, people: People, totals: Totals, exported: str | None = None
) -> ET.ElementTree:
    """The ``teiCorpus`` root: a header (title, extent, availability, the kind and role
    taxonomies, the languages, the ``listPerson``), then an XInclude of each document."""
    exported = exported or today()
    root = ET.Element(_t("teiCorpus"), {_xml("id"): "communique", _xml("lang"): "en"})
    header = _sub(root, "teiHeader")
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", title, type="main")
    _sub(title_stmt, "meeting", f"{len(files)} documents", n="export")
    _edition(file_desc, ", ".join(sorted(totals.versions)) or "unknown")
    _extent(file_desc, totals.speeches, totals.words)
    pub = _publication(file_desc)
    _availability(
        pub,
        totals.licences,
        "Each document's own header states its licence or its publisher's terms.",
    )
    _sub(pub, "date", exported, when=exported)
    _sub(_sub(file_desc, "sourceDesc"), "p", "Exported from a communique archive; each "
         "document's sourceDesc names its source.").set(_xml("lang"), "en")  # fmt: skip
    encoding = _sub(header, "encodingDesc")
    _project(encoding)
    _tags(encoding, totals.tags)
    classes = _sub(encoding, "classDecl")
    _taxonomy(
        classes,
        "kind",
        "Kinds of document",
        {kind_id(k): (k.replace("_", " ").capitalize(), KIND_WORDS[k]) for k in KINDS},
    )
    _taxonomy(classes, "role", "Roles of a turn", dict(ROLE_WORDS))
    profile = _sub(header, "profileDesc")
    _sub(_sub(profile, "settingDesc"), "setting").append(
        _para("Diplomatic transcripts: interviews, briefings, press conferences, speeches.")
    )
    _sub(profile, "particDesc").append(people.element())
    lang_usage = _sub(profile, "langUsage")
    for lang in sorted(totals.langs):
        _sub(lang_usage, "language", LANGUAGES.get(lang, lang), ident=lang)
    for name in files:
        ET.SubElement(root, f"{{{XI_NS}}}include", {"href": name})
    ET.indent(root, space=" ")
    for desc in root.iter(_t("catDesc")):  # mixed content: no indentation inside
        desc.text = None
    return ET.ElementTree(root)


def _para(text: str) -> ET.Element:
    p = ET.Element(_t("p"), {_xml("lang"): "en"})
    p.text = text
    return p


def file_name(doc: Document) -> str:
    return f"{xml_id(doc.id)}.xml"


def tei_files(
    docs: Iterable[Document],
    *,
    base_url: str = "",
    title: str = "communique export",
    exported: str | None = None,
) -> Iterator[tuple[str, bytes]]:
    """(file name, XML) for each document, then the corpus root (``communique.xml``)."""
    people, totals = People(), Totals()
    names: list[str] = []
    exported = exported or today()
    for doc in docs:
        people.add(doc)
        names.append(file_name(doc))
        tree = document_tree(doc, base_url=base_url, exported=exported)
        text = tree.getroot().find(_t("text"))
        assert text is not None
        totals.add(doc, _count_tags(text))
        yield names[-1], _serialise(tree)
    yield ROOT_FILE, _serialise(corpus_tree(names, title, people, totals, exported))


def corpus_title(selection: Selection) -> str:
    """The root's title: the selection in words."""
    return f"communique subcorpus: {describe(selection)}"


def write_tei(
    index: SearchIndex,
    selection: Selection | Any,
    out_dir: str | Path,
    *,
    progress: Progress | None = None,
    base_url: str = "",
    cap: int | None = None,
) -> list[Path]:
    """Write the TEI of every document of ``selection`` (in ``index`` and its store) into
    ``out_dir``; returns the paths written (the documents, then ``communique.xml``). An empty
    selection raises ``EmptySelection``."""
    selection = Selection.of(selection)
    ids = doc_ids(require(select(index, selection, cap=cap), selection))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    docs = documents(index.store, ids)
    for name, data in tei_files(docs, base_url=base_url, title=corpus_title(selection)):
        path = folder / name
        path.write_bytes(data)
        written.append(path)
        if progress and name != ROOT_FILE:
            progress(1)
    return written


class _Stream:
    """An unseekable writable stream whose bytes are taken out in chunks (for a streamed zip)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts = []
        return out


def zip_chunks(
    store: SQLStore,
    ids: list[str],
    *,
    guard: Guard = _direct,
    base_url: str = "",
    title: str = "communique export",
    folder: str = "communique-tei",
) -> Iterator[bytes]:
    """The TEI files of documents ``ids`` of ``store`` as a zip, streamed as each file is added."""
    stream = _Stream()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
        docs = documents(store, ids, guard=guard)
        for name, data in tei_files(docs, base_url=base_url, title=title):
            zf.writestr(f"{folder}/{name}", data)
            yield stream.take()
    yield stream.take()
