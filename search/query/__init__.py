"""Query: answering a reader's query by the rules both the search page and `invoke search`
follow (theme/static/js/search-core.js is their other implementation).

Owns matching and tiers (`matching`), excerpts (`excerpt`), 您是不是要找 (`suggest`), the
Whoosh search (`whoosh_search`) and the command line (`cli`).

May import: `search.analysis`; and from `search.index` only what names and reads the files
the build wrote there (`whoosh_writer.load_folds`, `lexicon.SUGGEST_FILE`).
"""
