"""Following the sources: revisions of a document and what changed between them
(``changes.py``), pinned revisions re-derived from their raw inputs (``revisions.py``), saved
searches and their Atom feeds (``watch.py``, ``feed.py``). See ``docs/tracking.md``."""
