"""Exports of a search or a subcorpus: CSV, JSONL, Parquet, TEI XML (ParlaMint manner) and
citation bundles."""
