/* The archive's search page, on the word index Pagefind writes (read by search-index.js).
 *
 * The index holds every Chinese character as a token of its own, written as Latin codes of
 * token pairs (see search/text.py), so the query is cut the same way here: folded with the
 * build's fold map (traditional and variant characters → the archive's simplified ones),
 * split into terms on spaces, and each term looked up by its pair words. The index tells
 * where each word occurs; whether a term matches (exactly, or with a short gap) is decided
 * from those positions by the rules of search/rules.py, read from /search/query.json, the
 * same rules `invoke search` follows (search/matching.py mirrors matchTerm below).
 * Documents with every term in their title come first, then other exact matches, then
 * matches with gaps; within each, Pagefind's ranking. A query of the archive's commonest
 * words shows its first results from their best pages (`results`), so the count then says
 * "N 条以上" until the reader has asked for them all. When little is found, names of the
 * archive that read alike are offered (search/suggest.py). The query lives in the URL
 * (/search/?q=…&county=…), so results can be linked.
 * Everything the reader typed is shown with textContent, never parsed as HTML. */

import { ArchiveIndex } from "./search-index.js";

const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const FILTERS = ["kind", "county", "topic", "year", "status"];
const PAGE = 10;
const site = new URL(form.dataset.site, document.baseURI);

const HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
const TOKEN = new RegExp(`[${HAN}]|[0-9a-z]+`, "g");
const TIER_TITLE = 0;
const TIER_EXACT = 1;
const TIER_GAP = 2;

let index = null;
let folds = {};
let rules = null;
let current = null; // { source, shown, termList, query } (see `results`)

/** The index and, before any query is cut, the rules and the whole fold map. */
async function load() {
  if (index) return index;
  const [opened, query] = await Promise.all([
    ArchiveIndex.open(site),
    fetch(new URL("search/query.json", site), { cache: "no-cache" }).then((r) => {
      if (!r.ok) throw new Error(`search/query.json: ${r.status}`);
      return r.json();
    }),
  ]);
  folds = query.fold;
  rules = query.rules;
  index = opened;
  return index;
}

/** The query form of one character: width-folded, lower case, folded to the archive's. */
function fold(ch) {
  return Array.from(ch.normalize("NFKC").toLowerCase(), (c) => folds[c] || c).join("");
}

/** The reader's query as terms, as typed (the parts that have tokens). */
function rawTerms(query) {
  return query.split(/\s+/).filter((part) => (fold(part).match(TOKEN) || []).length);
}

/** Text as tokens, as search/text.py tokens() cuts it (第 of 第27号 is not a token). */
function tokensOf(text) {
  const out = Array.from(text, fold).join("").match(TOKEN) || [];
  return out.filter((t, i) => !(t === "第" && /^[0-9]+$/.test(out[i + 1] || "") && out[i + 2] === "号"));
}

/** The reader's query as terms, each a list of tokens. */
function terms(query) {
  return rawTerms(query).map(tokensOf);
}

/** A token as the index writes it (search/text.py unit_code): h + code point, or l + length + text. */
function code(token) {
  return /^[0-9a-z]+$/.test(token) ? `l${token.length.toString(36)}${token}` : `h${token.codePointAt(0).toString(36)}`;
}

/** The words a term is looked up by: its token pairs, or one token's code (a prefix of its pairs). */
function termWords(tokens) {
  if (tokens.length === 1) return [code(tokens[0])];
  return tokens.slice(0, -1).map((t, i) => code(t) + code(tokens[i + 1]));
}

/* --- matching: search/matching.py, line for line ------------------------------------- */

function runStarts(words, first, last, positions) {
  const starts = [...(positions.get(words[first]) || [])].sort((a, b) => a - b);
  return starts.filter((x) => {
    for (let k = first + 1; k <= last; k++) {
      const at = positions.get(words[k]);
      if (!at || !at.has(x + k - first)) return false;
    }
    return true;
  });
}

function* combinations(from, to, count, chosen = []) {
  if (chosen.length === count) {
    yield chosen;
    return;
  }
  for (let i = from; i < to; i++) yield* combinations(i + 1, to, count, [...chosen, i]);
}

function* breakSets(pairs) {
  for (let count = 1; count < rules.gapMaxRuns; count++) {
    for (const chosen of combinations(1, pairs - 1, count)) {
      if (chosen.every((b, i) => i === 0 || b - chosen[i - 1] > 1)) yield chosen;
    }
  }
}

function runsOf(pairs, breaks) {
  const bounds = [];
  let start = 0;
  for (const b of breaks) {
    bounds.push([start, b - 1]);
    start = b + 1;
  }
  bounds.push([start, pairs - 1]);
  return bounds;
}

function gapFits(words, runs, positions) {
  const later = runs.slice(1).map(([a, b]) => runStarts(words, a, b, positions));
  const [firstA, firstB] = runs[0];
  for (const x of runStarts(words, firstA, firstB, positions)) {
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
      if (skipped > rules.gapMaxSkipped) {
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
function matchTerm(term, positions) {
  const words = termWords(term);
  const pairs = words.length;
  if (runStarts(words, 0, pairs - 1, positions).length) return TIER_EXACT;
  if (term.length < rules.gapMinTokens) return null;
  for (const breaks of breakSets(pairs)) {
    if (gapFits(words, runsOf(pairs, breaks), positions)) return TIER_GAP;
  }
  return null;
}

/** The term occurs exactly among the first titleSlots words (the title's). */
function inTitle(term, positions) {
  const words = termWords(term);
  const limit = rules.titleSlots - words.length;
  return runStarts(words, 0, words.length - 1, positions).some((x) => x <= limit);
}

function couldGapMatch(term, present) {
  const words = termWords(term);
  if (term.length < rules.gapMinTokens) return words.every((w) => present.has(w));
  const have = words.filter((w) => present.has(w)).length;
  return present.has(words[0]) && present.has(words[words.length - 1]) && have >= words.length - rules.gapMaxRuns + 1;
}

/* --- excerpts --------------------------------------------------------------------------- */

/** Where each term occurs in `text` (punctuation between its tokens allowed, or else with a
 * short gap): [start, end). */
function spans(text, termList) {
  let folded = "";
  const origin = []; // for each folded code unit, where it came from in `text`
  let at = 0;
  for (const ch of text) {
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) origin.push(at);
    folded += f;
    at += ch.length;
  }
  origin.push(text.length);
  const found = [];
  const escape = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const betweens = [`[^0-9a-z${HAN}]*`, `[\\s\\S]{0,${2 * rules.gapMaxSkipped}}?`];
  for (const tokens of termList) {
    for (const between of betweens) {
      const match = new RegExp(tokens.map(escape).join(between), "u").exec(folded);
      if (match) {
        const start = origin[match.index];
        const last = origin[match.index + match[0].length - 1];
        found.push([start, last + (text.codePointAt(last) > 0xffff ? 2 : 1)]);
        break;
      }
    }
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/** A paragraph with a window of the text around the first match, matches in <mark>. */
function excerpt(text, termList, width = 90) {
  const flat = text.replace(/\s*\n+\s*/g, " ");
  const marks = spans(flat, termList);
  // Cut only between words or characters: never inside a Latin word or a number (a name
  // such as "Thomas Lee" is not shown as "omas Lee"), never inside a surrogate pair.
  const word = /[0-9A-Za-z\u00c0-\u024f'’-]/;
  const inside = (i) =>
    i > 0 && i < flat.length && ((word.test(flat[i - 1]) && word.test(flat[i])) || /[\udc00-\udfff]/.test(flat[i]));
  let begin = marks.length ? Math.max(0, marks[0][0] - Math.floor(width / 3)) : 0;
  while (inside(begin)) begin--;
  while (flat[begin] === " ") begin++;
  let end = Math.min(flat.length, begin + width);
  while (end > begin + 1 && inside(end)) end--;
  while (end > begin + 1 && flat[end - 1] === " ") end--;
  const p = document.createElement("p");
  p.className = "excerpt";
  let at = begin;
  if (begin > 0) p.append("…");
  for (const [start, stop] of marks) {
    if (start < at || stop > end) continue;
    p.append(flat.slice(at, start));
    const mark = document.createElement("mark");
    mark.textContent = flat.slice(start, stop);
    p.append(mark);
    at = stop;
  }
  p.append(flat.slice(at, end));
  if (flat.slice(end).trim()) p.append("…");
  return p;
}

function filtersFromForm() {
  const filters = {};
  for (const name of FILTERS) {
    const value = form.elements[name].value;
    if (value) filters[name] = value;
  }
  return filters;
}

function readURL() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  let chosen = false;
  for (const name of [...FILTERS, "sort"]) {
    const field = form.elements[name];
    const value = params.get(name) || "";
    if ([...field.options].some((o) => (o.value || o.textContent) === value)) {
      field.value = value;
      chosen = chosen || value !== "";
    }
  }
  if (chosen) document.getElementById("search-options").open = true;
}

function writeURL() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const name of [...FILTERS, "sort"]) {
    if (form.elements[name].value) params.set(name, form.elements[name].value);
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function say(text) {
  status.textContent = text;
}

const records = new Map(); // page id → its record, loaded once

/** What a result shows: its record (search/docs/<page id>.json). */
function record(id) {
  if (!records.has(id)) records.set(id, loadRecord(id));
  return records.get(id);
}

async function loadRecord(id) {
  const response = await fetch(new URL(`search/docs/${id}.json`, site));
  if (!response.ok) throw new Error(`search/docs/${id}.json: ${response.status}`);
  return response.json();
}

function resultItem(data, rank, termList, tier) {
  const li = document.createElement("li");
  li.className = "search-result";
  const link = document.createElement("a");
  link.className = "doc-title";
  link.href = new URL(data.url, site).href;
  link.textContent = data.title;
  li.append(link);
  const meta = document.createElement("p");
  meta.className = "doc-meta";
  for (const [cls, value] of [
    ["kind", data.kind],
    ["date", data.date],
    ["source", data.context],
    ["counties", data.counties],
    ["near", tier === TIER_GAP ? "相近匹配：字词之间有间隔" : ""],
  ]) {
    if (!value) continue;
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = value;
    meta.append(span);
  }
  li.append(meta);
  if (data.text) li.append(excerpt(data.text, termList));
  li.dataset.rank = String(rank);
  li.dataset.tier = String(tier);
  return li;
}

/** The next PAGE results, shown; the status says how many there are once that is known. */
async function showMore() {
  const { source, termList } = current;
  const start = current.shown;
  const { items, all, every } = await source.take(start + PAGE);
  const slice = items.slice(start);
  const loaded = await Promise.all(slice.map((x) => record(x.id)));
  if (current?.source !== source) return; // a newer search has begun
  loaded.forEach((data, i) => list.append(resultItem(data, start + i + 1, termList, slice[i].tier)));
  current.shown += slice.length;
  more.hidden = all;
  if (every) {
    list.dataset.total = String(every.length);
    sayCount(every);
  } else {
    delete list.dataset.total;
    say(`${current.label}：找到 ${current.shown} 条以上结果，按相关程度排列。`);
  }
}

/** The status for the whole list of results, `every`. */
function sayCount(every) {
  const near = every.filter((x) => x.tier === TIER_GAP).length;
  const n = every.length - near;
  const shownQuery = current.label;
  if (n) say(`${shownQuery}：找到 ${n} 条结果${near ? `，另有 ${near} 条相近结果` : ""}。`);
  else if (near) say(`${shownQuery}：没有完全相同的结果，找到 ${near} 条相近结果（字词之间有间隔）。`);
  else say(`${shownQuery}：没有找到结果。可以换个词，或减少筛选条件。`);
}

/** The positions of `term`'s words in one document (id), as matchTerm takes them
 * (found: word → document id → its positions, from ArchiveIndex.lookUp). */
function positionsIn(term, found, id) {
  const positions = new Map();
  for (const w of termWords(term)) {
    const hit = found.get(w).get(id);
    if (hit) positions.set(w, hit);
  }
  return positions;
}

/** The tier at which `term` matches a document with its words at `positions` (word → Set),
 * or null (search/matching.py match_term). */
function termTier(term, positions) {
  if (term.length === 1) return inTitle(term, positions) ? TIER_TITLE : TIER_EXACT;
  if (!couldGapMatch(term, new Set(termWords(term).filter((w) => positions.has(w))))) return null;
  const tier = matchTerm(term, positions);
  if (tier === TIER_EXACT && inTitle(term, positions)) return TIER_TITLE;
  return tier;
}

/** A document's tier for every term: its worst term's, or null if one does not match. */
function pageTier(termList, positions) {
  let worst = TIER_TITLE;
  for (const term of termList) {
    const tier = termTier(term, positions);
    if (tier === null) return null;
    worst = Math.max(worst, tier);
  }
  return worst;
}

/** Document id → the tier at which `term` matches it (search/matching.py match_term). */
function termTiers(term, found) {
  const words = termWords(term);
  const tiers = new Map();
  const ids = new Set();
  for (const w of words) for (const id of found.get(w).keys()) ids.add(id);
  for (const id of ids) {
    const tier = termTier(term, positionsIn(term, found, id));
    if (tier !== null) tiers.set(id, tier);
  }
  return tiers;
}

let dateOrder = null; // page id → its place, newest first (search/order.json)

async function byDateOrder() {
  if (!dateOrder) {
    const ids = (await loadJSON("search/order.json")) || [];
    dateOrder = new Map(ids.map((id, i) => [id, i]));
  }
  return dateOrder;
}

/** The documents that answer every term, best first: a source of results, whose
 * `take(count)` gives the first `count` as { items: [{ id, tier }], all } (all: whether
 * they are every result). Ranked by relevance, a query of the archive's commonest words
 * reads only what settles the results asked for (ArchiveIndex.best); everything else, and
 * the rest of such a query once the reader asks past what that settles, is found whole. */
function results(engine, termList, filters, byDate) {
  const words = [...new Set(termList.flatMap((t) => termWords(t)))];
  const pairsOnly = termList.every((t) => t.length > 1);
  let whole = null;
  const everything = async (count) => {
    whole = whole || (await find(engine, termList, filters, byDate));
    return { items: whole.slice(0, count), all: count >= whole.length, every: whole };
  };
  if (byDate || !pairsOnly || !engine.hasCommon(words)) return { take: everything };
  const tierIs = (tier) => (positions) => pageTier(termList, positions) === tier;
  return {
    async take(count) {
      if (whole) return everything(count);
      // One more than asked for, so that "more" is offered only when there is more.
      const titled = await engine.best(words, "t", count + 1, tierIs(TIER_TITLE), filters);
      const items = titled.hits.map(([id]) => ({ id, tier: TIER_TITLE }));
      if (items.length <= count) {
        const exact = await engine.best(words, "m", count + 1 - items.length, tierIs(TIER_EXACT), filters);
        items.push(...exact.hits.map(([id]) => ({ id, tier: TIER_EXACT })));
        // Results with gaps come after every exact one: those need all the positions.
        if (items.length <= count) return everything(count);
      }
      return { items: items.slice(0, count), all: false };
    },
  };
}

/** Every document that answers every term, best first, as { id, tier }. */
async function find(engine, termList, filters, byDate) {
  if (!termList.length) {
    const order = await byDateOrder();
    const all = await engine.all(filters);
    return all.sort((a, b) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size)).map((id) => ({ id, tier: TIER_EXACT }));
  }
  const words = [...new Set(termList.flatMap((t) => termWords(t)))];
  const found = await engine.lookUp(words, filters);
  // A document's tier is its worst term's: title only if every term is in the title.
  let tiers = null;
  for (const term of termList) {
    const those = termTiers(term, found);
    if (tiers === null) tiers = those;
    else {
      for (const [id, tier] of tiers) {
        if (!those.has(id)) tiers.delete(id);
        else tiers.set(id, Math.max(tier, those.get(id)));
      }
    }
  }
  // Order within tiers: Pagefind's relevance over all the words, or newest first.
  const order = byDate ? await byDateOrder() : await engine.rank(words, filters);
  const rank = (id) => (order.has(id) ? order.get(id) : order.size);
  return [...tiers]
    .sort(([a, ta], [b, tb]) => (byDate ? 0 : ta - tb) || rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, tier]) => ({ id, tier }));
}

/* --- 您是不是要找 (search/suggest.py) ---------------------------------------------------- */

let sounds = null; // character → its toneless readings
const lexicons = new Map(); // number of tokens → [[name, documents], …]

/** A file of the search (the date order, the suggestions' lexicons), revalidated like the
 * index's table: it must be the one of the site being searched. */
async function loadJSON(path) {
  const response = await fetch(new URL(path, site), { cache: "no-cache" });
  return response.ok ? response.json() : null;
}

async function suggestions(query) {
  const raw = rawTerms(query);
  const termList = raw.map(tokensOf);
  const lengths = [...new Set(termList.map((t) => t.length))].filter(
    (n) => n >= rules.suggestMinTokens && n <= rules.suggestMaxTokens,
  );
  if (!lengths.length) return [];
  if (!sounds) {
    const table = (await loadJSON("search/suggest/pinyin.json")) || {};
    sounds = new Map();
    for (const [syllable, chars] of Object.entries(table)) {
      for (const ch of chars) {
        if (!sounds.has(ch)) sounds.set(ch, new Set());
        sounds.get(ch).add(syllable);
      }
    }
  }
  await Promise.all(
    lengths
      .filter((n) => !lexicons.has(n))
      .map(async (n) => lexicons.set(n, (await loadJSON(`search/suggest/${n}.json`)) || [])),
  );
  const alike = (a, b) => [...(sounds.get(a) || [])].some((s) => (sounds.get(b) || new Set()).has(s));
  const ranked = [];
  termList.forEach((term, at) => {
    if (term.length < rules.suggestMinTokens || term.length > rules.suggestMaxTokens) return;
    (lexicons.get(term.length) || []).forEach(([name, count], order) => {
      const entry = tokensOf(name);
      if (entry.length !== term.length || entry.every((t, i) => t === term[i])) return;
      const differing = entry.map((t, i) => [term[i], t]).filter(([a, b]) => a !== b);
      let distance = null;
      if (differing.every(([a, b]) => alike(a, b))) distance = 0;
      else if (differing.length === 1 && term.length >= 3) distance = 1;
      if (distance !== null) ranked.push([distance, -count, order, at, name]);
    });
  });
  ranked.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3] || (x[4] < y[4] ? -1 : x[4] > y[4] ? 1 : 0));
  const offered = [];
  for (const [, , , at, name] of ranked) {
    const q = raw.map((t, k) => (k === at ? name : t)).join(" ");
    if (!offered.includes(q)) offered.push(q);
    if (offered.length === rules.suggestLimit) break;
  }
  return offered;
}

async function offer(query) {
  const box = document.getElementById("search-suggest");
  box.replaceChildren();
  box.hidden = true;
  const offered = await suggestions(query);
  if (!offered.length || input.value.trim() !== query) return;
  box.append("您是不是要找：");
  offered.forEach((q, i) => {
    if (i) box.append("　");
    const link = document.createElement("a");
    const url = new URL(location.href);
    url.searchParams.set("q", q);
    link.href = url.href;
    link.textContent = q;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      input.value = q;
      writeURL();
      run();
    });
    box.append(link);
  });
  box.hidden = false;
}

async function run() {
  const query = input.value.trim();
  const filters = filtersFromForm();
  list.replaceChildren();
  list.dataset.state = "searching";
  list.dataset.query = query;
  more.hidden = true;
  const box = document.getElementById("search-suggest");
  box.replaceChildren();
  box.hidden = true;
  delete box.dataset.state;
  if (!query && !Object.keys(filters).length) {
    say("输入关键词，或选择区县、主题、年份浏览。");
    list.dataset.state = "done";
    return;
  }
  say("正在搜索……");
  try {
    const engine = await load();
    const termList = terms(query);
    if (!termList.length && !Object.keys(filters).length) {
      say("请输入要搜索的文字。");
      list.dataset.state = "done";
      return;
    }
    const size = termList.reduce((n, term) => n + term.length, 0);
    if (size > rules.maxQueryTokens) {
      say(`要搜索的文字太长（${size} 个字词），最多 ${rules.maxQueryTokens} 个：请缩短后再试。`);
      list.dataset.state = "done";
      return;
    }
    const source = results(engine, termList, filters, form.elements.sort.value === "date");
    current = { source, shown: 0, termList, label: query ? `“${query}”` : "所选条件" };
    await showMore();
    if (current.source !== source) return;
    list.dataset.state = "done";
    if (termList.length && more.hidden && current.shown < rules.suggestBelow) {
      box.dataset.state = "loading";
      await offer(query);
      box.dataset.state = "done";
    }
  } catch (error) {
    list.dataset.state = "failed";
    say("搜索暂时无法使用，请稍后再试。");
    throw error;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  writeURL();
  run();
});
for (const name of [...FILTERS, "sort"]) {
  form.elements[name].addEventListener("change", () => {
    writeURL();
    run();
  });
}
more.addEventListener("click", async () => {
  list.dataset.state = "more";
  await showMore();
  list.dataset.state = "done";
});

readURL();
run();
