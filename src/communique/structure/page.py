"""What a publisher reader extracts from one raw input, before turns are made.

Readers (``structure/publishers/*``) know one site's furniture; they return a :class:`Page`:
header fields as found, and the body as :class:`Block` paragraphs. Turn making, roles,
question/answer pairing, kinds and ids are the same for every publisher
(``structure/turns.py``, ``structure/kinds.py``, ``structure/ids.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """One paragraph of body text.

    ``label`` is set when the markup itself marks a speaker label (``<b>Vladimir Putin:</b>``):
    the verbatim label without its colon, and ``text`` is then the paragraph after it.
    When ``label`` is None the turn maker looks for a label by the text's shape.
    ``bold`` says the whole paragraph was bold (fmprc's English pages set questions in bold).
    ``role`` is the reader's word on the paragraph when the page's own shape says who speaks
    (fmprc: a bold question under an outlet's name, a plain reply after a bold question, a
    closing notice): ``question``, ``answer``, ``statement`` (the principal speaker's) or
    ``narration`` (nobody's). A block with a role always opens a turn; None leaves it to the
    label.
    """

    text: str
    label: str | None = None
    bold: bool = False
    role: str | None = None


@dataclass
class Page:
    """A page's header and body as one publisher's reader found them."""

    blocks: list[Block]
    publisher: str | None = None
    publisher_id: str | None = None  # the site's own document id (Kremlin news id, fmprc tNNN...)
    url: str | None = None  # the publisher's URL (web-archive captures unwrapped)
    found_url: str | None = None  # the URL as the input gave it, for the origin record
    lang: str | None = None
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD
    date_inferred: bool = False
    time: str | None = None  # HH:MM
    tz: str | None = None
    place: str | None = None
    lead: str | None = None  # summary paragraph under the title (Kremlin's read__lead)
    versions: list[str] = field(default_factory=list)  # ISO 639-1, the page's own included
    license: str | None = None
    attribution: str | None = None
    kind_hint: str | None = None  # the publisher's own category, if it gives one
    speaker_hint: str | None = None  # the principal speaker named by a table column
    # Text the reader left out of the blocks that names the speakers (White House header lines
    # "BY BRIAN DEESE, ..., AND JARED BERNSTEIN", kremlin.ru name tooltips): read for whole
    # names only, never a turn
    name_lines: list[str] = field(default_factory=list)
    skip_reason: str | None = None  # set for index/list pages, error pages: not a document


class NotADocument(Exception):
    """Raised by a reader for input that is readable but carries no published text.

    The message is the skip reason shown to the user (``index page``, ``error page``...).
    """


class Unparseable(Exception):
    """Raised for input that cannot be read or parsed at all: a failure, logged as an error."""
