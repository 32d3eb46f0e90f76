"""Checks: what `invoke check` reports and what stops a build.

Owns the content checks across files (URLs, 文号, sources, open questions, HTML in bodies)
and the date checks a careful proof-reader makes; `read_archive` is the one way a build, a
preview or `check` reads the content with its problems.

May import `bulletin.content`, `bulletin.importing` and `bulletin.relations`.
"""
