"""Enrichment: links and alignments derived from stored documents."""
