/* The archive's search page, on the word index Pagefind writes (read by search-index.js).
 *
 * The index holds every Chinese character as a token of its own, written as Latin codes of
 * token pairs (see search/analysis/tokens.py), so the query is cut the same way here: folded
 * with the build's fold map (traditional and variant characters → the archive's simplified
 * ones), split into terms on spaces, and each term looked up by its pair words. The index
 * tells where each word occurs; whether a term matches (exactly, or with a short gap) is
 * decided from those positions. Every rule of a query (folding, tokens, tiers, gaps,
 * excerpts, suggestions) is search-core.js's, built from /search/query.json: the same rules
 * `invoke search` follows, held to the same answers by tests/test_search_conformance.py;
 * this file keeps the page (the form, the results, the URL).
 * Documents with every term in their title come first, then other exact matches, then
 * matches with gaps; within each, Pagefind's ranking. A query of the archive's commonest
 * words shows its first results from their best pages (`results`), so the count then says
 * "N 条以上" until the reader has asked for them all. When little is found, names of the
 * archive that read alike are offered (search/query/suggest.py). The query lives in the URL
 * (/search/?q=…&county=…), so results can be linked.
 * Everything the reader typed is shown with textContent, never parsed as HTML. */

import { SearchCore, refusal } from "./search-core.js";
import { ArchiveIndex } from "./search-index.js";

const form = document.getElementById("search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const FILTERS = ["kind", "county", "topic", "year", "status"];
const PAGE = 10;
const site = new URL(form.dataset.site, document.baseURI);
const EXCERPT_WIDTH = 90; // characters of a result's excerpt

let index = null;
let core = null; // the rules of a query (search-core.js), once search/query.json is loaded
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
  core = new SearchCore(query.rules, query.fold);
  index = opened;
  return index;
}

/** A result's excerpt as a paragraph, its matches in <mark> (search-core.js `excerpt`). */
function excerpt(text, termList) {
  const p = document.createElement("p");
  p.className = "excerpt";
  for (const [piece, marked] of core.excerpt(text, termList, EXCERPT_WIDTH)) {
    if (!marked) {
      p.append(piece);
      continue;
    }
    const mark = document.createElement("mark");
    mark.textContent = piece;
    p.append(mark);
  }
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
    ["near", tier === core.TIER_GAP ? "相近匹配：字词之间有间隔" : ""],
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
  const near = every.filter((x) => x.tier === core.TIER_GAP).length;
  const n = every.length - near;
  const shownQuery = current.label;
  if (n) say(`${shownQuery}：找到 ${n} 条结果${near ? `，另有 ${near} 条相近结果` : ""}。`);
  else if (near) say(`${shownQuery}：没有完全相同的结果，找到 ${near} 条相近结果（字词之间有间隔）。`);
  else say(`${shownQuery}：没有找到结果。${current.filtered ? "可以换个词，或减少筛选条件。" : "可以换个词再试。"}`);
}

/** The positions of `term`'s words in one document (id), as the core's termTier takes them
 * (found: word → document id → its positions, from ArchiveIndex.lookUp). */
function positionsIn(term, found, id) {
  const positions = new Map();
  for (const w of core.termWords(term)) {
    const hit = found.get(w).get(id);
    if (hit) positions.set(w, hit);
  }
  return positions;
}

/** Document id → the tier at which `term` matches it. */
function termTiers(term, found) {
  const tiers = new Map();
  const ids = new Set();
  for (const w of core.termWords(term)) for (const id of found.get(w).keys()) ids.add(id);
  for (const id of ids) {
    const tier = core.termTier(term, positionsIn(term, found, id));
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
  const words = [...new Set(termList.flatMap((t) => core.termWords(t)))];
  const pairsOnly = termList.every((t) => t.length > 1);
  let whole = null;
  const everything = async (count) => {
    whole = whole || (await find(engine, termList, filters, byDate));
    return { items: whole.slice(0, count), all: count >= whole.length, every: whole };
  };
  if (byDate || !pairsOnly || !engine.hasCommon(words)) return { take: everything };
  const tierIs = (tier) => (positions) => core.pageTier(termList, positions) === tier;
  return {
    async take(count) {
      if (whole) return everything(count);
      // One more than asked for, so that "more" is offered only when there is more.
      const titled = await engine.best(words, "t", count + 1, tierIs(core.TIER_TITLE), filters);
      const items = titled.hits.map(([id]) => ({ id, tier: core.TIER_TITLE }));
      if (items.length <= count) {
        const exact = await engine.best(words, "m", count + 1 - items.length, tierIs(core.TIER_EXACT), filters);
        items.push(...exact.hits.map(([id]) => ({ id, tier: core.TIER_EXACT })));
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
    return all.sort((a, b) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size)).map((id) => ({ id, tier: core.TIER_EXACT }));
  }
  const words = [...new Set(termList.flatMap((t) => core.termWords(t)))];
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

/* --- 您是不是要找 (search-core.js `suggestions`) --------------------------------------- */

let sounds = null; // character → its toneless readings
let most = null; // number of tokens → the most documents an entry of it is in
const lexicons = new Map(); // number of tokens → [[name, documents], …]

/** A file of the search (the date order, the suggestions' lexicons), revalidated like the
 * index's table: it must be the one of the site being searched. */
async function loadJSON(path) {
  const response = await fetch(new URL(path, site), { cache: "no-cache" });
  return response.ok ? response.json() : null;
}

/** The suggestions for `query`, which found `found` documents, once the lexicons that can
 * offer something are loaded. */
async function suggestions(query, found) {
  if (!most) most = (await loadJSON("search/suggest/most.json")) || {};
  const lengths = core.suggestLengths(query, found, most);
  if (!lengths.length) return [];
  if (!sounds) sounds = SearchCore.soundsOf((await loadJSON("search/suggest/pinyin.json")) || {});
  await Promise.all(
    lengths
      .filter((n) => !lexicons.has(n))
      .map(async (n) => lexicons.set(n, (await loadJSON(`search/suggest/${n}.json`)) || [])),
  );
  return core.suggestions(query, lexicons, sounds, found);
}

async function offer(query, found) {
  const box = document.getElementById("search-suggest");
  box.replaceChildren();
  box.hidden = true;
  const offered = await suggestions(query, found);
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
  const filtered = Object.keys(filters).length > 0;
  // Nothing to search for is said before anything is loaded.
  const empty = refusal(query, null, filtered);
  if (empty) {
    say(empty);
    list.dataset.state = "done";
    return;
  }
  say("正在搜索……");
  try {
    const engine = await load();
    const termList = core.terms(query);
    const refused = core.refusal(query, termList, filtered);
    if (refused) {
      say(refused);
      list.dataset.state = "done";
      return;
    }
    const source = results(engine, termList, filters, form.elements.sort.value === "date");
    current = { source, shown: 0, termList, filtered, label: query ? `“${query}”` : "所选条件" };
    await showMore();
    if (current.source !== source) return;
    list.dataset.state = "done";
    // 您是不是要找, once the number of results is known (a query of the archive's commonest
    // words, shown from its best pages, finds too many for an entry to be in ten times as many).
    if (termList.length && list.dataset.total !== undefined) {
      box.dataset.state = "loading";
      await offer(query, Number(list.dataset.total));
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
// Keys that change a closed <select>'s value where it stands (Chromium): each press would
// search again and rewrite the URL. A filter changes only once its list is opened (Alt+↓,
// F4, or a click), where these keys move within the list instead.
const MOVES = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);
for (const name of [...FILTERS, "sort"]) {
  form.elements[name].addEventListener("keydown", (event) => {
    if (MOVES.has(event.key) && !event.altKey) event.preventDefault();
  });
  form.elements[name].addEventListener("change", () => {
    writeURL();
    run();
  });
}
// The next results: focus moves to the first of them (the button may be gone, and focus
// with it), and the status says which are shown.
more.addEventListener("click", async () => {
  const { source } = current;
  const first = current.shown;
  list.dataset.state = "more";
  await showMore();
  if (current.source === source && current.shown > first) {
    list.children[first].querySelector("a.doc-title").focus();
    say(`${status.textContent}已显示第 ${first + 1}–${current.shown} 条。`);
  }
  list.dataset.state = "done";
});

readURL();
run();
