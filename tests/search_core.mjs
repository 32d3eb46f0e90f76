// Runs the search page's rules (theme/static/js/search-core.js) over a table of cases that
// tests/test_search_conformance.py generated from the Python side, and prints the answers.
//
//   node tests/search_core.mjs CASES.json > ANSWERS.json
//
// CASES.json: {rules, folds, lexicons: {n: [[name, count], …]}, most, pinyin, cases: [[kind, …]]}.
// The module is loaded from its source as the browser loads it, an ES module with no imports.
import { readFileSync } from "node:fs";

const source = readFileSync(new URL("../theme/static/js/search-core.js", import.meta.url), "utf8");
const { SearchCore, refusal } = await import(`data:text/javascript,${encodeURIComponent(source)}`);
const data = JSON.parse(readFileSync(process.argv[2], "utf8"));
const core = new SearchCore(data.rules, data.folds);
const lexicons = new Map(Object.entries(data.lexicons).map(([n, entries]) => [Number(n), entries]));
const sounds = SearchCore.soundsOf(data.pinyin);

const answer = {
  terms: (query) => {
    const terms = core.terms(query);
    return [core.rawTerms(query), terms, terms.map((t) => core.termWords(t))];
  },
  refusal: (query, filtered) => [refusal(query, null, filtered), core.refusal(query, core.terms(query), filtered)],
  tier: (terms, positions) => core.pageTier(terms, new Map(Object.entries(positions).map(([w, at]) => [w, new Set(at)]))),
  excerpt: (text, terms, width) => core.excerpt(text, terms, width),
  // as the page loads them: only the lexicons that can offer something
  suggest: (query, found) => {
    const loaded = new Map(core.suggestLengths(query, found, data.most).map((n) => [n, lexicons.get(n)]));
    return core.suggestions(query, loaded, sounds, found);
  },
};
const out = data.cases.map(([kind, ...args]) => {
  try {
    return answer[kind](...args);
  } catch (error) {
    return `error: ${error}`;
  }
});
process.stdout.write(JSON.stringify(out));
