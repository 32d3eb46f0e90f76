"""Importing: a received file (text, Word, PDF) becomes a content file.

Owns reading the raw text (`rawtext/`: layouts, headlines, paragraphs, pages, Word and PDF
readers), `importer` (the `invoke import` command's work), `scaffold` (`invoke new`) and the
open questions an import leaves for an editor to settle.

May import `bulletin.content` only.
"""
