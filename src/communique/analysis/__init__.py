"""Corpus analysis over the archive: trends, who says it most, collocations, keyness, frequency
lists (``stats``), and quote verification (``verify``)."""
