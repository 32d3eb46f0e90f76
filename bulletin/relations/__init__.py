"""Relations between documents: the archive as a whole.

Owns `archive` (every document read, related to the others: issues, items, counties,
topics, years), `references` and `citations` (who cites whom, by title or 文号), the
citation format and the open data's records.

May import `bulletin.content` and `bulletin.importing`.
"""
