/* The archive's search page, on Pagefind's JavaScript API.
 *
 * The index holds every Chinese character as a token of its own, written as Latin codes of
 * token pairs (see search/text.py), so the query is cut the same way here: traditional
 * characters mapped to simplified ones, then each term (terms are separated by spaces)
 * searched as an exact phrase of its token pairs.
 * A name such as 孔海龙 is thus found wherever it occurs, whatever a segmenter would make of
 * it. Documents with the terms in their title come first, then Pagefind's ranking. The query
 * lives in the URL (/search/?q=…&county=…), so results can be linked.
 * Everything the reader typed is shown with textContent, never parsed as HTML. */

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

let pagefind = null;
let t2s = {};
let current = null; // { results, shown, terms }

async function load() {
  if (pagefind) return pagefind;
  const [module, map] = await Promise.all([
    import(new URL("pagefind/pagefind.js", site).href),
    fetch(new URL("search/t2s.json", site)).then((r) => (r.ok ? r.json() : {})),
  ]);
  t2s = map;
  // No worker: searches here are small, and the worker script would be one more download.
  await module.options({ baseUrl: site.pathname, noWorker: true });
  pagefind = module;
  return pagefind;
}

/** The reader's query as terms, each a list of tokens, as search/text.py cuts them. */
function terms(query) {
  const simplified = Array.from(query.normalize("NFKC").toLowerCase(), (ch) => t2s[ch] || ch).join("");
  return simplified
    .split(/\s+/)
    .map((part) => part.match(TOKEN) || [])
    .filter((tokens) => tokens.length);
}

/** A token as the index writes it (search/text.py unit_code): h + code point, or l + length + text. */
function code(token) {
  return /^[0-9a-z]+$/.test(token) ? `l${token.length.toString(36)}${token}` : `h${token.codePointAt(0).toString(36)}`;
}

/** A term as index words: its token pairs, or one token's code (a prefix of its pairs). */
function termWords(tokens, mark = "") {
  if (tokens.length === 1) return [code(tokens[0]) + mark];
  return tokens.slice(0, -1).map((t, i) => code(t) + mark + code(tokens[i + 1]));
}

/** Each term as an exact phrase: the documents that contain every term. */
function exactQuery(termList, mark = "") {
  return termList
    .map((tokens) => {
      const words = termWords(tokens, mark);
      return tokens.length > 1 ? `"${words.join(" ")}"` : words[0];
    })
    .join(" ");
}

/** All words unquoted: Pagefind ranks these (it gives exact phrases no score). */
function rankingQuery(termList) {
  return termList.flatMap((tokens) => termWords(tokens)).join(" ");
}

/** The same phrases among the title's words (marked t): documents with the terms in the title. */
function titleQuery(termList) {
  return exactQuery(termList, "t");
}

/** The query form of one character: width-folded, lower case, simplified. */
function fold(ch) {
  return Array.from(ch.normalize("NFKC").toLowerCase(), (c) => t2s[c] || c).join("");
}

/** Where each term occurs in `text` (punctuation between its tokens allowed): [start, end). */
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
  for (const tokens of termList) {
    const pattern = tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(`[^0-9a-z${HAN}]*`);
    const match = new RegExp(pattern, "u").exec(folded);
    if (match) {
      const start = origin[match.index];
      const last = origin[match.index + match[0].length - 1];
      found.push([start, last + (text.codePointAt(last) > 0xffff ? 2 : 1)]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/** A paragraph with a window of the text around the first match, matches in <mark>. */
function excerpt(text, termList, width = 90) {
  const flat = text.replace(/\s*\n+\s*/g, " ");
  const marks = spans(flat, termList);
  const begin = marks.length ? Math.max(0, marks[0][0] - Math.floor(width / 3)) : 0;
  const end = Math.min(flat.length, begin + width);
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
  if (end < flat.length) p.append("…");
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

const records = new Map(); // Pagefind result id → its record, loaded once

/** What a result shows: its record (search/docs/<Pagefind page id>.json), not Pagefind's fragment. */
function record(result) {
  if (!records.has(result.id)) records.set(result.id, loadRecord(result));
  return records.get(result.id);
}

async function loadRecord(result) {
  try {
    const response = await fetch(new URL(`search/docs/${result.id}.json`, site));
    if (response.ok) return await response.json();
  } catch {
    /* fall back to Pagefind's own data below */
  }
  const data = await result.data(); // Pagefind's URL already carries the site's path
  const url = new URL(data.url, location.origin).pathname.slice(site.pathname.length);
  return { url, title: url, text: "" };
}

function resultItem(data, rank, termList) {
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
  return li;
}

async function showMore() {
  const { results, termList } = current;
  const start = current.shown;
  const slice = results.slice(start, start + PAGE);
  const loaded = await Promise.all(slice.map(record));
  loaded.forEach((data, i) => list.append(resultItem(data, start + i + 1, termList)));
  current.shown += slice.length;
  more.hidden = current.shown >= results.length;
}

/**
 * The documents that contain every term exactly, best first: those with the terms in their
 * title, then by Pagefind's relevance score (or newest first when sorting by date).
 */
async function find(engine, termList, filters, byDate) {
  const options = byDate ? { filters, sort: { date: "desc" } } : { filters };
  if (!termList.length) return (await engine.search(null, options)).results;
  if (byDate) return (await engine.search(exactQuery(termList), options)).results;
  const [exact, ranked] = await Promise.all([
    engine.search(exactQuery(termList), options),
    engine.search(rankingQuery(termList), { filters }),
  ]);
  const order = new Map(ranked.results.map((r, i) => [r.id, i]));
  const rank = (r) => (order.has(r.id) ? order.get(r.id) : order.size);
  let inTitle;
  if (exact.results.length <= PAGE) {
    // All of them are shown anyway: read their titles rather than load more of the index.
    const titles = await Promise.all(exact.results.map(async (r) => (await record(r)).title));
    inTitle = new Set(exact.results.filter((r, i) => spans(titles[i], termList).length === termList.length).map((r) => r.id));
  } else {
    const titled = await engine.search(titleQuery(termList), { filters });
    inTitle = new Set(titled.results.map((r) => r.id));
  }
  return exact.results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (inTitle.has(b.r.id) - inTitle.has(a.r.id)) || (rank(a.r) - rank(b.r)) || (a.i - b.i))
    .map((x) => x.r);
}

async function run() {
  const query = input.value.trim();
  const filters = filtersFromForm();
  const termList = terms(query);
  list.replaceChildren();
  list.dataset.state = "searching";
  list.dataset.query = query;
  more.hidden = true;
  if (!termList.length && !Object.keys(filters).length) {
    say(query ? "请输入要搜索的文字。" : "输入关键词，或选择区县、主题、年份浏览。");
    list.dataset.state = "done";
    return;
  }
  say("正在搜索……");
  try {
    const engine = await load();
    const results = await find(engine, termList, filters, form.elements.sort.value === "date");
    current = { results, shown: 0, termList };
    const n = results.length;
    const shownQuery = query ? `“${query}”` : "所选条件";
    say(n ? `${shownQuery}：找到 ${n} 条结果。` : `${shownQuery}：没有找到结果。可以换个词，或减少筛选条件。`);
    if (n) await showMore();
    list.dataset.state = "done";
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
more.addEventListener("click", () => showMore());

readURL();
run();
