"""What an import returns: the document and what the editor must look at."""

from __future__ import annotations

from dataclasses import dataclass, field

from bulletin.model import Document


@dataclass
class ImportResult:
    document: Document
    kind: str
    notes: dict[int, dict[str, str]] = field(default_factory=dict)  # item → field → note
    attention: list[str] = field(default_factory=list)  # what the editor must check
    dropped: list[tuple[int, str]] = field(default_factory=list)  # (line, text) discarded
