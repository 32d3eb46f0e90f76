/* The rules of a query, as the search page follows them: no DOM, nothing loaded here.
 *
 * One implementation of what search/analysis and search/query say in Python, for the page
 * (search.js imports it): how a query is folded and cut into terms and tokens
 * (search/analysis/tokens.py), the codes and pair words a term is looked up by, whether a
 * term matches a document and at which tier (search/query/matching.py), the excerpt and its
 * marks (search/query/excerpt.py), 您是不是要找 (search/query/suggest.py) and which queries
 * are refused (search/query/cli.py `refusal`). Every number and character class comes from
 * the rules the build writes (/search/query.json, search/analysis/rules.py `rules_json`),
 * never typed here. tests/test_search_conformance.py runs thousands of cases generated
 * from the Python side against this module under Node, so the two cannot drift apart.
 *
 * Places in a text (spans, excerpts) are counted in characters (code points), as Python
 * counts them, never in UTF-16 units. */

/** Strings compared by code point, as Python compares them. */
export function compareStrings(a, b) {
  if (a === b) return 0;
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i].codePointAt(0) - y[i].codePointAt(0);
  }
  return x.length - y.length;
}

/** Why a query is not searched, or null (search/query/cli.py refusal): nothing to search
 * for, or too much. `filtered`: whether a filter is set. With `termList` null (the rules
 * not loaded yet), only whether there is anything to search for at all. */
export function refusal(query, termList, filtered, rules = null) {
  if (!query.trim() && !filtered) return "输入关键词，或选择区县、主题、年份浏览。";
  if (termList === null) return null;
  if (!termList.length && !filtered) return "请输入要搜索的文字。";
  const size = termList.reduce((n, term) => n + term.length, 0);
  if (size > rules.maxQueryTokens) return `要搜索的文字太长（${size} 个字词），最多 ${rules.maxQueryTokens} 个：请缩短后再试。`;
  return null;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class SearchCore {
  /** `rules`: search/query.json's "rules"; `folds`: its "fold" map (character → character). */
  constructor(rules, folds) {
    this.rules = rules;
    this.folds = folds;
    this.TIER_TITLE = rules.tierTitle;
    this.TIER_EXACT = rules.tierExact;
    this.TIER_GAP = rules.tierGap;
    this.tokenPattern = new RegExp(`[${rules.han}]|[0-9a-z]+`, "gu");
    this.spaces = new RegExp(`[${rules.space}]+`, "u");
    this.blank = new RegExp(`^[${rules.space}]*$`, "u");
    this.lineBreaks = new RegExp(`[${rules.space}]*\\n+[${rules.space}]*`, "gu");
    this.word = new RegExp(`[${rules.latinWord}]`, "u"); // a character of a Latin word or number
    this.betweens = [`[^0-9a-z${rules.han}]*`, `[\\s\\S]{0,${2 * rules.gapMaxSkipped}}?`];
    this.folded = new Map(); // character → its folded form, worked out once
  }

  /* --- folding and tokens (search/analysis/tokens.py) ------------------------------------ */

  /** Text as a query is folded: each character width-folded (NFKC), lower-cased, then
   * mapped by the fold map (fold_query). */
  fold(text) {
    let out = "";
    for (const ch of text) {
      let f = this.folded.get(ch);
      if (f === undefined) {
        f = Array.from(ch.normalize("NFKC").toLowerCase(), (c) => this.folds[c] || c).join("");
        this.folded.set(ch, f);
      }
      out += f;
    }
    return out;
  }

  /** The tokens of folded text: each Han character, each Latin run cut every latinRun
   * characters; 第 before a number and 号 is not a token (tokens). */
  tokens(folded) {
    const run = this.rules.latinRun;
    const out = [];
    for (const t of folded.match(this.tokenPattern) || []) {
      for (let i = 0; i < t.length; i += run) out.push(t.slice(i, i + run));
    }
    return out.filter((t, i) => !(t === "第" && /^[0-9]+$/.test(out[i + 1] || "") && out[i + 2] === "号"));
  }

  /** The query's terms as typed: its parts between spaces that hold a token (query_parts). */
  rawTerms(query) {
    return query.split(this.spaces).filter((part) => this.tokens(this.fold(part)).length);
  }

  /** The query as terms, each a list of tokens (query_terms). */
  terms(query) {
    return this.rawTerms(query).map((part) => this.tokens(this.fold(part)));
  }

  /** A token as the index writes it (unit_code): h + code point, or l + length + text. */
  code(token) {
    return /^[0-9a-z]+$/.test(token) ? `l${token.length.toString(36)}${token}` : `h${token.codePointAt(0).toString(36)}`;
  }

  /** The words a term is looked up by: its token pairs, or one token's code (a prefix). */
  termWords(term) {
    if (term.length === 1) return [this.code(term[0])];
    return term.slice(0, -1).map((t, i) => this.code(t) + this.code(term[i + 1]));
  }

  /** `refusal` by these rules. */
  refusal(query, termList, filtered) {
    return refusal(query, termList, filtered, this.rules);
  }

  /* --- matching (search/query/matching.py, function for function) ------------------------ */

  runStarts(words, first, last, positions) {
    const starts = [...(positions.get(words[first]) || [])].sort((a, b) => a - b);
    return starts.filter((x) => {
      for (let k = first + 1; k <= last; k++) {
        const at = positions.get(words[k]);
        if (!at || !at.has(x + k - first)) return false;
      }
      return true;
    });
  }

  *breakSets(pairs) {
    function* combinations(from, to, count, chosen = []) {
      if (chosen.length === count) {
        yield chosen;
        return;
      }
      for (let i = from; i < to; i++) yield* combinations(i + 1, to, count, [...chosen, i]);
    }
    for (let count = 1; count < this.rules.gapMaxRuns; count++) {
      for (const chosen of combinations(1, pairs - 1, count)) {
        if (chosen.every((b, i) => i === 0 || b - chosen[i - 1] > 1)) yield chosen;
      }
    }
  }

  runsOf(pairs, breaks) {
    const bounds = [];
    let start = 0;
    for (const b of breaks) {
      bounds.push([start, b - 1]);
      start = b + 1;
    }
    bounds.push([start, pairs - 1]);
    return bounds;
  }

  gapFits(words, runs, positions) {
    const later = runs.slice(1).map(([a, b]) => this.runStarts(words, a, b, positions));
    const [firstA, firstB] = runs[0];
    for (const x of this.runStarts(words, firstA, firstB, positions)) {
      let end = x + firstB - firstA + 1;
      let skipped = 0;
      let placed = true;
      for (let r = 1; r < runs.length; r++) {
        const [a, b] = runs[r];
        const y = later[r - 1].find((s) => s > end);
        if (y === undefined) {
          placed = false;
          break;
        }
        skipped += y - end - 1;
        if (skipped > this.rules.gapMaxSkipped) {
          placed = false;
          break;
        }
        end = y + b - a + 1;
      }
      if (placed) return true;
    }
    return false;
  }

  /** TIER_EXACT, TIER_GAP or null for a term of two tokens or more (positions: word → Set). */
  matchTerm(term, positions) {
    const words = this.termWords(term);
    const pairs = words.length;
    if (this.runStarts(words, 0, pairs - 1, positions).length) return this.TIER_EXACT;
    if (term.length < this.rules.gapMinTokens) return null;
    for (const breaks of this.breakSets(pairs)) {
      if (this.gapFits(words, this.runsOf(pairs, breaks), positions)) return this.TIER_GAP;
    }
    return null;
  }

  /** The term occurs exactly among the first titleSlots words (the title's). */
  inTitle(term, positions) {
    const words = this.termWords(term);
    const limit = this.rules.titleSlots - words.length;
    return this.runStarts(words, 0, words.length - 1, positions).some((x) => x <= limit);
  }

  couldGapMatch(term, present) {
    const words = this.termWords(term);
    if (term.length < this.rules.gapMinTokens) return words.every((w) => present.has(w));
    const have = words.filter((w) => present.has(w)).length;
    return present.has(words[0]) && present.has(words[words.length - 1]) && have >= words.length - this.rules.gapMaxRuns + 1;
  }

  /** The tier at which `term` matches a document whose looked-up words are at `positions`
   * (word → Set; a one-token term's code → the positions of the words it begins), or null. */
  termTier(term, positions) {
    if (term.length === 1) {
      if (!positions.has(this.termWords(term)[0])) return null;
      return this.inTitle(term, positions) ? this.TIER_TITLE : this.TIER_EXACT;
    }
    if (!this.couldGapMatch(term, new Set(this.termWords(term).filter((w) => positions.has(w))))) return null;
    const tier = this.matchTerm(term, positions);
    if (tier === this.TIER_EXACT && this.inTitle(term, positions)) return this.TIER_TITLE;
    return tier;
  }

  /** A document's tier for every term: its worst term's, or null if one does not match
   * (document_tier). */
  pageTier(termList, positions) {
    let worst = this.TIER_TITLE;
    for (const term of termList) {
      const tier = this.termTier(term, positions);
      if (tier === null) return null;
      worst = Math.max(worst, tier);
    }
    return worst;
  }

  /* --- excerpts (search/query/excerpt.py) ------------------------------------------------- */

  /** Every occurrence of each term in `text`, as [start, end, term] (places in characters),
   * in order of place (occurrences). */
  occurrences(text, termList) {
    let folded = "";
    const origin = []; // for each UTF-16 unit of the folded text, the character it came from
    let at = 0;
    for (const ch of text) {
      const f = this.fold(ch);
      for (let k = 0; k < f.length; k++) origin.push(at);
      folded += f;
      at += 1;
    }
    origin.push(at);
    const found = [];
    termList.forEach((term, number) => {
      for (const between of this.betweens) {
        const pattern = new RegExp(term.map(escape).join(between), "gu");
        const matches = [];
        for (const match of folded.matchAll(pattern)) {
          matches.push([origin[match.index], origin[match.index + match[0].length - 1] + 1, number]);
          if (matches.length === this.rules.excerptOccurrences) break;
        }
        if (matches.length) {
          found.push(...matches);
          break;
        }
      }
    });
    return found.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  }

  /** Where the window begins: a third of it before the occurrence whose window holds the
   * most different terms, then the most occurrences, then the earliest (best_window). */
  bestWindow(found, width) {
    let best = [-1, -1];
    let begin = 0;
    for (const [start] of found) {
      const b = Math.max(0, start - Math.floor(width / 3));
      const inside = found.filter(([s, e]) => s >= b && e <= b + width).map(([, , term]) => term);
      const score = [new Set(inside).size, inside.length];
      if (score[0] > best[0] || (score[0] === best[0] && score[1] > best[1])) {
        best = score;
        begin = b;
      }
    }
    return begin;
  }

  /** The excerpt of `text`: `width` characters where most terms meet, never starting or
   * ending inside a Latin word or number, as pieces [text, marked], every occurrence marked. */
  excerpt(text, termList, width) {
    const flat = text.replace(this.lineBreaks, " ");
    const chars = Array.from(flat);
    const found = this.occurrences(flat, termList);
    const inside = (i) => i > 0 && i < chars.length && this.word.test(chars[i - 1]) && this.word.test(chars[i]);
    let begin = this.bestWindow(found, width);
    while (inside(begin)) begin--;
    while (begin < chars.length && chars[begin] === " ") begin++;
    let end = Math.min(chars.length, begin + width);
    while (end > begin + 1 && inside(end)) end--;
    while (end > begin + 1 && chars[end - 1] === " ") end--;
    const slice = (a, b) => chars.slice(a, b).join("");
    const pieces = begin > 0 ? [["…", false]] : [];
    let at = begin;
    for (const [start, stop] of found) {
      if (start < at || stop > end) continue; // outside the window, or overlapping a mark before it
      pieces.push([slice(at, start), false], [slice(start, stop), true]);
      at = stop;
    }
    pieces.push([slice(at, end), false]);
    if (!this.blank.test(slice(end))) pieces.push(["…", false]);
    return pieces.filter(([piece]) => piece);
  }

  /* --- 您是不是要找 (search/query/suggest.py) ---------------------------------------------- */

  /** Character → its readings, from the reading table (syllable → characters). */
  static soundsOf(table) {
    const sounds = new Map();
    for (const [syllable, chars] of Object.entries(table)) {
      for (const ch of chars) {
        if (!sounds.has(ch)) sounds.set(ch, new Set());
        sounds.get(ch).add(syllable);
      }
    }
    return sounds;
  }

  /** The least documents an entry must be in to be offered for a query that found `found`. */
  suggestLeast(found) {
    return found < this.rules.suggestBelow ? 0 : this.rules.suggestRatio * found;
  }

  /** The numbers of tokens of the query's terms whose lexicons can offer something, for a
   * query that found `found` documents: `most` (search/suggest/most.json) gives, for each
   * number, the most documents an entry of it is in. Only those lexicons need loading. */
  suggestLengths(query, found, most) {
    const { suggestMinTokens: low, suggestMaxTokens: high } = this.rules;
    const least = this.suggestLeast(found);
    return [...new Set(this.terms(query).map((t) => t.length))].filter(
      (n) => n >= low && n <= high && (most[n] || 0) >= least && (most[n] || 0) > 0,
    );
  }

  /** 0 when the entry reads like the term, 1 when one token is off, null otherwise. */
  compare(term, entry, sounds) {
    if (entry.length !== term.length || entry.every((t, i) => t === term[i])) return null;
    const differing = entry.map((t, i) => [term[i], t]).filter(([a, b]) => a !== b);
    const alike = ([a, b]) => [...(sounds.get(a) || [])].some((s) => (sounds.get(b) || new Set()).has(s));
    if (differing.every(alike)) return 0;
    return differing.length === 1 && term.length >= 3 ? 1 : null;
  }

  /** The queries to offer for `query`, which found `found` documents, best first: its terms,
   * as typed, with one replaced by a lexicon entry. `lexicons`: number of tokens →
   * [[name, documents], …], most documents first (the build's search/suggest/<n>.json);
   * `sounds`: `soundsOf` the reading table. */
  suggestions(query, lexicons, sounds, found) {
    const { suggestMinTokens: low, suggestMaxTokens: high } = this.rules;
    const least = this.suggestLeast(found);
    const raw = this.rawTerms(query);
    const ranked = [];
    raw.forEach((part, at) => {
      const term = this.tokens(this.fold(part));
      if (term.length < low || term.length > high) return;
      for (const [name, count] of lexicons.get(term.length) || []) {
        if (count < least) break; // (most documents first: none after it has enough)
        const distance = this.compare(term, this.tokens(this.fold(name)), sounds);
        if (distance !== null) ranked.push([distance, -count, name, at]);
      }
    });
    ranked.sort((x, y) => x[0] - y[0] || x[1] - y[1] || compareStrings(x[2], y[2]) || x[3] - y[3]);
    const offered = [];
    for (const [, , name, at] of ranked) {
      const suggested = raw.map((part, k) => (k === at ? name : part)).join(" ");
      if (!offered.includes(suggested)) offered.push(suggested);
      if (offered.length === this.rules.suggestLimit) break;
    }
    return offered;
  }
}
