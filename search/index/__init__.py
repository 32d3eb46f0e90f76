"""Index: what the build writes from the search documents.

- The browser's index, in Pagefind 1.5.2's format, one straight path
  (`bundle.write_bundle`): documents cut into shards, each shard's word index in arrays
  (`shards`), from the cache or indexed now (`shard_cache`), its records (`records`); then
  the one index of all shards in Pagefind's files (`pagefind_writer`, `pagefind_format`,
  the commonest words' blocks in `impact`) beside Pagefind's own script (`pagefind_assets`).
- The Whoosh index behind `invoke search` (`whoosh_writer`), the suggestions' lexicon
  (`lexicon`) and related items (`related`).

May import: `search.analysis`; nothing of `search.query`.
"""
