"""The raw input types: what walking the inputs yields, before anything is parsed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawInput:
    """One raw input, kept verbatim: a file's bytes, or a table row as canonical JSON."""

    path: str  # as found; a row is "<file>#row=<n>"
    data: bytes
    kind: str  # "file" | "row"
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.data).hexdigest()


@dataclass
class Skip:
    """An input passed over on purpose (a sidecar, an unknown format), with why."""

    path: str
    reason: str


@dataclass
class Failure:
    """An input that could not be read, with why; the batch goes on."""

    path: str
    reason: str


Item = RawInput | Skip | Failure
