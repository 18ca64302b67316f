"""A subcorpus as TEI XML in the ParlaMint manner.

One file per document (``<doc id>.xml``, every turn of each document the selection touches), a
``listPerson.xml`` with every speaker id the documents point at, and a corpus root file
(``communique.xml``, a ``teiCorpus`` that includes the rest with XInclude).

A turn is ``<u xml:id="<doc>.t<n>" who="#<person>" ana="#<role>">`` with one ``<seg>`` per
paragraph (the stored text split on blank lines: joining the segs' texts with ``"\\n\\n"`` gives
the text back exactly), preceded by ``<note type="speaker">`` with the label as printed. An
answer has ``corresp="#<doc>.t<question n>"``; an interpreted turn also ``ana="... #interpreted"``.

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
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from communique.archive import Archive
from communique.cite import publisher_name
from communique.export.subcorpus import Guard, Selection, _direct, doc_ids, documents, select
from communique.model import Document, Turn
from communique.structure.document import inferred_title

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XI_NS = "http://www.w3.org/2001/XInclude"
ET.register_namespace("", TEI_NS)
ET.register_namespace("xi", XI_NS)
LIST_PERSON = "listPerson.xml"
ROOT_FILE = "communique.xml"
ROLES_TAXONOMY = ("question", "answer", "statement", "remark", "moderator", "interpreted")
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


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, _t(name), {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        elem.text = clean(text)
    return elem


def _header(doc: Document, base_url: str) -> ET.Element:
    header = ET.Element(_t("teiHeader"))
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    title = doc.title or inferred_title(doc.publisher, doc.kind, doc.date)
    _sub(title_stmt, "title", title, type="main")
    _sub(file_desc, "extent").append(_measure(len(doc.turns), "utterances"))
    pub = _sub(file_desc, "publicationStmt")
    _sub(pub, "publisher", "communique archive")
    _sub(pub, "idno", f"{doc.id}@{doc.revision}", type="pinned")
    if base_url:
        _sub(pub, "idno", f"{base_url.rstrip('/')}/d/{doc.id}@{doc.revision}", type="URI")
    avail = _sub(pub, "availability")
    _sub(avail, "licence", doc.license or "Unknown: see the publisher's terms of use")
    _sub(avail, "p", doc.attribution or f"© {publisher_name(doc.publisher)}; see the source.")
    source = _sub(_sub(file_desc, "sourceDesc"), "bibl")
    _sub(source, "title", title)
    _sub(source, "publisher", publisher_name(doc.publisher))
    if doc.publisher:
        _sub(source, "idno", doc.publisher, type="publisher")
    if doc.url:
        _sub(source, "idno", doc.url, type="URI")
    if doc.date:
        _sub(source, "date", doc.date, when=doc.date)
    profile = _sub(header, "profileDesc")
    lang_usage = _sub(profile, "langUsage")
    if doc.lang:
        _sub(lang_usage, "language", doc.lang, ident=doc.lang)
    setting = _sub(_sub(profile, "settingDesc"), "setting")
    if doc.place:
        _sub(setting, "name", doc.place, type="place")
    if doc.date:
        _sub(setting, "date", doc.date, when=doc.date)
    text_class = _sub(profile, "textClass")
    _sub(text_class, "catRef", scheme="#kind", target=f"#{doc.kind}")
    encoding = _sub(header, "encodingDesc")
    _sub(encoding, "p", f"Parsed by communique {doc.parser_version}; text as stored.")
    return header


def _measure(quantity: int, unit: str) -> ET.Element:
    m = ET.Element(_t("measure"), {"unit": unit, "quantity": str(quantity)})
    m.text = str(quantity)
    return m


def document_tree(doc: Document, *, base_url: str = "") -> ET.ElementTree:
    """The TEI of one document."""
    root = ET.Element(_t("TEI"), {_xml("id"): xml_id(doc.id)})
    if doc.lang:
        root.set(_xml("lang"), doc.lang)
    root.append(_header(doc, base_url))
    body = _sub(_sub(root, "text"), "body")
    div = _sub(body, "div", type="debateSection")
    local = xml_id(doc.id)
    segs: list[tuple[ET.Element, str]] = []
    if doc.lead:  # the summary under the title: narration, not an utterance
        _sub(div, "note", clean(doc.lead), type="lead").set(_xml("id"), f"{local}.t0")
    for turn in doc.turns:
        if turn.label:
            _sub(div, "note", turn.label, type="speaker")
        ana = f"#{turn.role}" + (" #interpreted" if turn.interpreted else "")
        u = _sub(div, "u", who=f"#{who_id(doc, turn)}", ana=ana)
        u.set(_xml("id"), f"{local}.t{turn.n}")
        u.set("n", str(turn.n))
        if turn.answers is not None:
            u.set("corresp", f"#{local}.t{turn.answers}")
        for i, para in enumerate(paragraphs(turn.text), start=1):
            seg = _sub(u, "seg")
            seg.set(_xml("id"), f"{local}.t{turn.n}.p{i}")
            segs.append((seg, para))
    ET.indent(root, space=" ")  # before the segs are filled: indenting must not touch them
    for seg, para in segs:
        _fill(seg, para)
    return ET.ElementTree(root)


def document_xml(doc: Document, *, base_url: str = "") -> bytes:
    return _serialise(document_tree(doc, base_url=base_url))


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

    def tree(self) -> ET.ElementTree:
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
        ET.indent(root, space=" ")
        return ET.ElementTree(root)

    def xml(self) -> bytes:
        return _serialise(self.tree())


def corpus_tree(files: list[str], title: str) -> ET.ElementTree:
    """The ``teiCorpus`` root: a header, then XIncludes of the person list and each file."""
    root = ET.Element(_t("teiCorpus"), {_xml("id"): "communique", _xml("lang"): "en"})
    header = _sub(root, "teiHeader")
    file_desc = _sub(header, "fileDesc")
    _sub(_sub(file_desc, "titleStmt"), "title", title, type="main")
    _sub(_sub(file_desc, "publicationStmt"), "publisher", "communique archive")
    _sub(_sub(file_desc, "sourceDesc"), "p", "Exported from a communique archive.")
    particulars = _sub(_sub(header, "profileDesc"), "particDesc")
    ET.SubElement(particulars, f"{{{XI_NS}}}include", {"href": LIST_PERSON})
    classes = _sub(_sub(header, "encodingDesc"), "classDecl")
    taxonomy = _sub(classes, "taxonomy")
    taxonomy.set(_xml("id"), "role")
    for role in ROLES_TAXONOMY:
        cat = _sub(taxonomy, "category")
        cat.set(_xml("id"), role)
        _sub(cat, "catDesc", role)
    for name in files:
        ET.SubElement(root, f"{{{XI_NS}}}include", {"href": name})
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def file_name(doc: Document) -> str:
    return f"{xml_id(doc.id)}.xml"


def tei_files(
    docs: Iterable[Document], *, base_url: str = "", title: str = "communique export"
) -> Iterator[tuple[str, bytes]]:
    """(file name, XML) for each document, then ``listPerson.xml`` and the corpus root."""
    people = People()
    names: list[str] = []
    for doc in docs:
        people.add(doc)
        names.append(file_name(doc))
        yield names[-1], document_xml(doc, base_url=base_url)
    yield LIST_PERSON, people.xml()
    yield ROOT_FILE, _serialise(corpus_tree(names, title))


def _title(selection: Selection) -> str:
    q = selection.to_query()
    return "communique export" + (f": {q}" if q else "")


def write_tei(
    archive: Archive,
    selection: Selection | Any,
    out_dir: str | Path,
    *,
    progress: Progress | None = None,
    base_url: str = "",
    cap: int | None = None,
) -> list[Path]:
    """Write the TEI of every document of ``selection`` into ``out_dir``; returns the paths
    written (the documents, ``listPerson.xml``, ``communique.xml``)."""
    selection = Selection.of(selection)
    ids = doc_ids(select(archive, selection, cap=cap))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    docs = documents(archive, ids)
    for name, data in tei_files(docs, base_url=base_url, title=_title(selection)):
        path = folder / name
        path.write_bytes(data)
        written.append(path)
        if progress and name not in (LIST_PERSON, ROOT_FILE):
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
    archive: Archive,
    ids: list[str],
    *,
    guard: Guard = _direct,
    base_url: str = "",
    title: str = "communique export",
    folder: str = "communique-tei",
) -> Iterator[bytes]:
    """The TEI files of documents ``ids`` as a zip, streamed as each file is added."""
    stream = _Stream()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
        docs = documents(archive, ids, guard=guard)
        for name, data in tei_files(docs, base_url=base_url, title=title):
            zf.writestr(f"{folder}/{name}", data)
            yield stream.take()
    yield stream.take()
