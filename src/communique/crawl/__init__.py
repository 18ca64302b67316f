"""Following the sources: site profiles (``profile.py``), list-page extraction (``extract.py``),
the polite fetcher (``fetch.py``) and the crawl itself with its ledger (``crawler.py``).
The profile format is documented in ``docs/crawl.md``."""
