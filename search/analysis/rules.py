"""What a match is: the one definition the search page and `invoke search` both follow.

A document is the sequence of words Pagefind indexes (`search.analysis.documents.document_words`): one
word per token, the token's code followed by the next token's code, so a word's position is
its token's position. Matching works on those positions alone, the same way in Python
(`search.query.matching`) and in the browser (`theme/static/js/search-core.js`), which
reads the numbers and character classes below from `/search/query.json` (`rules_json`),
written from this module at every build.

A term (the query split on spaces) matches a document

- **exactly** when its tokens occur consecutively: its pair words at consecutive positions
  (a one-token term: any word that begins with the token's code);
- **with gaps** when it has at least `GAP_MIN_TOKENS` tokens and they occur in order as
  two to `GAP_MAX_RUNS` runs of at least two consecutive tokens each, the runs separated by
  at most `GAP_MAX_SKIPPED` other tokens in all: 会长培训班 in 会长（秘书长）培训班 (three
  tokens skipped), 温州台州商会 in 温州、丽水、台州商会. Punctuation is never a token.

A document answers a query when every term matches it. Tiers, best first: every term exact
and in the title (its words among the first `TITLE_SLOTS` words, which are the title's:
shorter titles are padded to that length with the filler word `zz`); every term exact; some
term only with gaps. Within a tier the browser
orders by Pagefind's score and the command line by BM25F; both return the same documents.
"""

from __future__ import annotations

import json

GAP_MIN_TOKENS = 4  # two runs of two tokens at least
GAP_MAX_RUNS = 3  # at most two asides inside one term
GAP_MAX_SKIPPED = 10  # tokens between the runs, in all: "a short aside"

TIER_TITLE, TIER_EXACT, TIER_GAP = 0, 1, 2
TITLE_SLOTS = 64  # the title's words and filler: the body's words start at this position
FILLER = "zz"  # no query word begins with z (codes begin with h, l or e)

# The most tokens a query may have, all terms together. Matching with gaps tries every way
# of cutting a term into runs, which grows with the square of its length: a term of 300
# tokens took 8 s, one of 64 takes 0.2 s. Longer queries are refused, on the page and on
# the command line alike, with `query_too_long`.
MAX_QUERY_TOKENS = 64

# What a token is (search.analysis.tokens): a Han character of these ranges, or a run of
# Latin letters and digits, cut into pieces of at most LATIN_RUN (its length is one base-36
# digit of its code). A query's terms are separated by these spaces (JavaScript's \s).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
LATIN_RUN = 35
SPACE = "\t\n\v\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

# Excerpts (search.query.excerpt): a window never starts or ends between two characters of
# a Latin word or number (these); at most EXCERPT_OCCURRENCES of a term are looked at.
LATIN_WORD = "0-9A-Za-z\u00c0-\u024f'’-"
EXCERPT_OCCURRENCES = 200

# Suggestions (您是不是要找): an entry that reads like a term is offered when the query finds
# fewer documents than SUGGEST_BELOW, or when the entry is in SUGGEST_RATIO times as many.
SUGGEST_BELOW = 3
SUGGEST_RATIO = 10
SUGGEST_LIMIT = 5
SUGGEST_MIN_TOKENS = 2
SUGGEST_MAX_TOKENS = 16


def rules_json() -> str:
    """The numbers above as the browser reads them."""
    rules = {
        "gapMinTokens": GAP_MIN_TOKENS,
        "gapMaxRuns": GAP_MAX_RUNS,
        "gapMaxSkipped": GAP_MAX_SKIPPED,
        "titleSlots": TITLE_SLOTS,
        "suggestBelow": SUGGEST_BELOW,
        "suggestRatio": SUGGEST_RATIO,
        "suggestLimit": SUGGEST_LIMIT,
        "suggestMinTokens": SUGGEST_MIN_TOKENS,
        "suggestMaxTokens": SUGGEST_MAX_TOKENS,
        "maxQueryTokens": MAX_QUERY_TOKENS,
        "tierTitle": TIER_TITLE,
        "tierExact": TIER_EXACT,
        "tierGap": TIER_GAP,
        "latinRun": LATIN_RUN,
        "han": HAN,
        "space": SPACE,
        "latinWord": LATIN_WORD,
        "excerptOccurrences": EXCERPT_OCCURRENCES,
    }
    return json.dumps(rules, separators=(",", ":"))
