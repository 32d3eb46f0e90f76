"""Search without Pelican, in three layers; imports point down only.

- `search.analysis`: tokens, folds, codes, the rules of a match, the search documents.
- `search.index`: what the build writes from the documents: the browser's index in
  Pagefind's format (shards, the writer, the bundle), the Whoosh index, the suggestions'
  lexicon, related items. May import `analysis`.
- `search.query`: answering a query: matching, excerpts, suggestions, the Whoosh search and
  `invoke search`. May import `analysis`, and `index` only for the names and formats of the
  files it reads there.

tests/test_layers.py holds the imports to this (`LAYERS`), and fails on any circle.
"""
