"""The content: what a document is and how its file is read and written.

Owns the model (issues, items, policies, speeches), the Markdown file format and its YAML
(one safe loader, editors' messages for its mistakes), dates, 文号, counties and topics, the
characters and paths content may use, the names of raw sources, Markdown rendering (through
nh3, the one place our HTML is marked safe: `trusted`), and the problems reported to editors.

May import nothing of `bulletin` outside this folder: everything else stands on it.
"""
