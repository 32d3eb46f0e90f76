/* The archive's word index, read and queried in the browser.
 *
 * The index is the one Pagefind writes (its word chunks and filter files, gzip'd CBOR), and
 * a short table of its pages (search/index.json, see search/pagefind_bundle.py
 * page_table). It is queried here rather than by Pagefind's own search, whose time grows
 * with the square of the pages a word is on: for each page found it walks every (word,
 * page) entry of the query (pagefind_core_search search_term, Pagefind 1.5), 41 s for a
 * word on 75,000 of 100,000 pages. Here each entry is read once.
 *
 * What it answers is what Pagefind's search answers: for a word, the pages it is on and
 * its positions there; for a query of several words, the pages that have them all, ranked
 * by Pagefind's own BM25 scoring (ported below, same weights), so the order is Pagefind's.
 * tests/test_search_index.py checks both against Pagefind itself, query for query.
 *
 * The commonest words (those with a chunk of their own) are also held best page first, in
 * blocks (search/impact.py): `best` ranks a query of such words from the first blocks, and
 * tests/test_search_common.py checks that it answers as the whole chunks do. */

const SIGNATURE = 12; // "pagefind_dcd", before the CBOR of every Pagefind data file
const DEFAULT_WEIGHT = 24; // Pagefind's weight of a word with no data-pagefind-weight (1 × 24)
const TITLE_WEIGHT = 240; // data-pagefind-weight="10", the title's (search/postings.py)
// Pagefind's default ranking weights (pagefind_core_search RankingWeights::default).
const RANKING = { termSimilarity: 1.0, pageLength: 0.75, termSaturation: 1.4, termFrequency: 1.0 };

/* --- reading Pagefind's files ---------------------------------------------------------- */

/** The value of CBOR `bytes` from `start` (the subset Pagefind writes: integers, strings,
 * arrays, maps). */
function decodeCBOR(bytes, start) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  let at = start;
  function length(info) {
    if (info < 24) return info;
    if (info === 24) return bytes[at++];
    if (info === 25) return (at += 2), view.getUint16(at - 2);
    if (info === 26) return (at += 4), view.getUint32(at - 4);
    if (info === 27) return (at += 8), Number(view.getBigUint64(at - 8));
    throw new Error(`CBOR: length ${info}`);
  }
  function item() {
    const head = bytes[at++];
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 27) return (at += 8), view.getFloat64(at - 8);
      throw new Error(`CBOR: simple ${info}`);
    }
    const n = length(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        return (at += n), bytes.subarray(at - n, at);
      case 3:
        return (at += n), text.decode(bytes.subarray(at - n, at));
      case 4: {
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = item();
        return out;
      }
      case 5: {
        const out = new Map();
        for (let i = 0; i < n; i++) out.set(item(), item());
        return out;
      }
      default:
        throw new Error(`CBOR: major type ${major}`);
    }
  }
  return item();
}

/** A Pagefind data file (gzip'd, a signature, then CBOR), decoded. */
async function fetchData(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return decodeCBOR(bytes, SIGNATURE);
}

/** `a` and `b` compared on their first min(length) characters, as Pagefind looks up the
 * chunks that may hold a word or words beginning with it: -1, 0 or 1. */
function comparePrefixes(a, b) {
  const n = Math.min(a.length, b.length);
  const x = a.slice(0, n);
  const y = b.slice(0, n);
  return x < y ? -1 : x > y ? 1 : 0;
}

/* --- Pagefind's ranking (pagefind_core_search search/mod.rs), ported --------------------- */

function lengthBonus(differential) {
  const base = Math.exp((-0.5 * differential ** 2) / 2 ** 2);
  return Math.exp(base * RANKING.termSimilarity) / Math.exp(RANKING.termSimilarity);
}

function bm25(weightedFrequency, pageLength, averageLength, totalPages, pagesWithWord, bonus) {
  const weighted = weightedFrequency * bonus;
  const k1 = RANKING.termSaturation;
  const b = RANKING.pageLength;
  const idf = Math.log((totalPages - pagesWithWord + 0.5) / (pagesWithWord + 0.5) + 1.0);
  const tf = ((k1 + 1.0) * weighted) / (k1 * (1.0 - b + b * (pageLength / averageLength)) + weighted);
  const raw = Math.min(weighted / (averageLength / 5.0), k1 + 1.0);
  return idf * ((1.0 - RANKING.termFrequency) * raw + RANKING.termFrequency * tf);
}

/* --- the index --------------------------------------------------------------------------- */

export class ArchiveIndex {
  /** The index of the site at `site` (a URL ending in /). */
  static async open(site) {
    // Revalidated on every visit (a 304 when unchanged): after a publish, a table kept by a
    // browser's heuristic cache would name chunk files the new site no longer has.
    const response = await fetch(new URL("search/index.json", site), { cache: "no-cache" });
    if (!response.ok) throw new Error(`search/index.json: ${response.status}`);
    return new ArchiveIndex(site, await response.json());
  }

  constructor(site, table) {
    this.bundle = new URL(table.bundle, site);
    this.ids = [];
    for (const [tag, count] of table.shards) {
      for (let i = 0; i < count; i++) this.ids.push(`${tag}-${i.toString(36)}`);
    }
    this.lengths = table.lengths;
    this.averageLength = this.lengths.reduce((sum, n) => sum + n, 0) / Math.max(1, this.lengths.length);
    this.chunks = table.chunks; // [first word, last word, file], in word order
    this.filterFiles = new Map(table.filters);
    this.loadedChunks = new Map(); // file → Promise of Map word → [pages, locations]
    // The commonest words (search/impact.py): word → its chunk, its pages, its pages with it
    // in the title; their pages best first in blocks, read by `best`.
    this.common = new Map((table.common || []).map(([word, file, pages, titled]) => [word, { file, pages, titled }]));
    this.loadedBlocks = new Map(); // file → Promise of [pages, locations]
    this.firstBlock = table.firstBlock; // pages in a common word's first block
    this.loadedFilters = new Map(); // name → Promise of Map value → Set of pages
  }

  /** The chunk files that may hold `word`, or words beginning with it. */
  chunksFor(word) {
    return this.chunks
      .filter(([first, last]) => comparePrefixes(word, first) >= 0 && comparePrefixes(word, last) <= 0)
      .map(([, , file]) => file);
  }

  /** A chunk: word → its pages (numbers) and, for each, its weights and positions. */
  chunk(file) {
    if (!this.loadedChunks.has(file)) {
      this.loadedChunks.set(file, fetchData(new URL(`index/${file}.pf_index`, this.bundle)).then(readChunk));
    }
    return this.loadedChunks.get(file);
  }

  /** The words of the index that begin with `term`, with their postings: from every chunk
   * that may hold such words (a word itself is never split between chunks). */
  async extensions(term) {
    const chunks = await Promise.all(this.chunksFor(term).map((file) => this.chunk(file)));
    const found = new Map();
    for (const words of chunks) {
      for (const [word, postings] of words) if (word.startsWith(term)) found.set(word, postings);
    }
    return found;
  }

  /** Pages with every filter's value ({county: "鹿城区", …}), or null for no filter. */
  async filtered(filters) {
    let pages = null;
    for (const [name, value] of Object.entries(filters || {})) {
      if (!this.loadedFilters.has(name)) {
        const file = this.filterFiles.get(name);
        const load = file
          ? fetchData(new URL(`filter/${file}.pf_filter`, this.bundle)).then(
              ([, values]) => new Map(values.map(([v, list]) => [v, new Set(list)])),
            )
          : Promise.resolve(new Map());
        this.loadedFilters.set(name, load);
      }
      const those = (await this.loadedFilters.get(name)).get(value) || new Set();
      pages = pages === null ? new Set(those) : new Set([...pages].filter((p) => those.has(p)));
    }
    return pages;
  }

  /** Every page with the filters, as ids. */
  async all(filters) {
    const pages = await this.filtered(filters);
    return pages === null ? [...this.ids] : [...pages].sort((a, b) => a - b).map((p) => this.ids[p]);
  }

  /** For each word (a term of Pagefind's search: the word, or the words beginning with
   * it), the pages with it: id → the set of its positions there. */
  async lookUp(words, filters) {
    const allowed = await this.filtered(filters);
    const out = new Map();
    await Promise.all(
      words.map(async (word) => {
        const byId = new Map();
        for (const [pages, locations] of (await this.extensions(word)).values()) {
          pages.forEach((page, i) => {
            if (allowed !== null && !allowed.has(page)) return;
            const id = this.ids[page];
            if (!byId.has(id)) byId.set(id, new Set());
            const positions = byId.get(id);
            const at = locations[i];
            for (let k = 1; k < at.length; k += 2) positions.add(at[k]);
          });
        }
        out.set(word, byId);
      }),
    );
    return out;
  }

  /** The pages with every term (each a word, or words beginning with it), best first, as
   * Pagefind's search ranks them: id → place. */
  async rank(terms, filters) {
    const scored = await this.scores(terms, filters);
    return new Map(scored.map(([id], i) => [id, i]));
  }

  /** [id, Pagefind's score] of the pages with every term, best first. */
  async scores(terms, filters) {
    const allowed = await this.filtered(filters);
    const matching = []; // per term, per matched word: { word, pages, locations, bonus }
    let pages = null;
    for (const term of terms) {
      const extensions = await this.extensions(term);
      const union = new Set();
      for (const [word, [wordPages, locations]] of extensions) {
        matching.push({ word, pages: wordPages, locations, bonus: lengthBonus(Math.abs(word.length - term.length) + 1) });
        for (const page of wordPages) union.add(page);
      }
      // As in Pagefind, a term that matches no word leaves the others to decide.
      if (extensions.size) pages = pages === null ? union : new Set([...union].filter((p) => pages.has(p)));
    }
    if (pages === null) return [];
    // Each page's locations of every matched word, as Pagefind gathers them.
    const perPage = new Map();
    for (const page of pages) if (allowed === null || allowed.has(page)) perPage.set(page, []);
    const first = new Map(); // word → its first match (for its bonus and its page count)
    for (const match of matching) {
      if (!first.has(match.word)) first.set(match.word, match);
      match.pages.forEach((page, i) => {
        const list = perPage.get(page);
        if (!list) return;
        const at = match.locations[i];
        for (let k = 0; k < at.length; k += 2) list.push([at[k + 1], at[k], match.bonus, match.word]);
      });
    }
    const scored = [];
    for (const [page, list] of perPage) {
      list.sort((a, b) => a[0] - b[0]);
      const weighted = new Map();
      let working = list[0] ? [...list[0]] : null;
      const settle = () => weighted.set(working[3], (weighted.get(working[3]) || 0) + working[1]);
      for (const next of list.slice(1)) {
        if (next[0] === working[0]) {
          if (next[1] < working[1]) {
            working[1] = next[1];
            working[2] = next[2];
          } else if (next[1] === working[1]) {
            working[1] = (working[1] + next[1]) & 255; // a u8 in Pagefind
            working[2] += next[2];
          }
        } else {
          settle();
          working = [...next];
        }
      }
      if (working) settle();
      // Summed in the order of the words matched (as `best` sums them), not of their places.
      let score = 0;
      for (const [word, match] of first) {
        if (!weighted.has(word)) continue;
        score += bm25(weighted.get(word) / 24, this.lengths[page], this.averageLength, this.ids.length, match.pages.length, match.bonus);
      }
      scored.push([page, score]);
    }
    scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return scored.map(([page, score]) => [this.ids[page], score]);
  }

  /** Whether `best` can answer for these words: some are among the commonest. */
  hasCommon(words) {
    return words.some((word) => this.common.has(word));
  }

  /** The best `want` pages with all of `words` (pair words, each matched whole, as `scores`
   * takes them) that `isHit` accepts (isHit(positions: word → Set)), in `scores`' order:
   * {hits: [[id, score], …], all: whether these are all such pages}.
   *
   * The commonest words are read a block at a time, best pages first (search/impact.py),
   * from the pages with the word in the title (`kind` "t") or from all its pages ("m"), the
   * others whole; after each round, the pages seen with every word are scored, and reading
   * stops once no page not yet seen with every word can score above the last of those
   * wanted: its score is at most what it has of each word read so far, plus for each other
   * word the smallest part of the score in that word's last block (the blocks come best
   * first). A page missing from a word read to its end has not all the words. */
  async best(words, kind, want, isHit, filters) {
    const allowed = await this.filtered(filters);
    const lists = await Promise.all(words.map((word) => this.wordList(word, kind)));
    const scored = new Map(); // page → its score, or null when isHit refuses it
    for (;;) {
      const hits = [];
      const [shortest] = [...lists].sort((a, b) => a.known.size - b.known.size);
      for (const page of shortest.known.keys()) {
        if (allowed !== null && !allowed.has(page)) continue;
        if (!lists.every((list) => list.known.has(page))) continue;
        if (!scored.has(page)) {
          const positions = new Map(words.map((word, i) => [word, atPositions(lists[i].known.get(page))]));
          scored.set(page, isHit(positions) ? this.pageScore(lists, page) : null);
        }
        if (scored.get(page) !== null) hits.push([page, scored.get(page)]);
      }
      hits.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const ended = lists.some((list) => list.ended);
      const floor = hits.length >= want ? hits[want - 1][1] : -Infinity;
      let settled = ended || lists.reduce((sum, list) => sum + list.bound, 0) < floor;
      for (const list of lists) {
        if (!settled) break;
        for (const page of list.known.keys()) {
          if (allowed !== null && !allowed.has(page)) continue;
          if (lists.some((other) => other.ended && !other.known.has(page))) continue;
          if (lists.every((other) => other.known.has(page))) continue;
          const most = lists.reduce((sum, other) => sum + (other.known.has(page) ? other.part(page) : other.bound), 0);
          if (most >= floor) {
            settled = false;
            break;
          }
        }
      }
      const done = lists.every((list) => list.ended);
      if (settled || done) {
        // Fewer than wanted, settled: no page not yet seen can be one. Read to the end: all known.
        const all = (settled && hits.length < want) || (done && hits.length <= want);
        return { hits: hits.slice(0, want).map(([page, score]) => [this.ids[page], score]), all };
      }
      await Promise.all(lists.filter((list) => !list.ended).map((list) => list.next()));
    }
  }

  /** A page's score from its words' lists, as `scores` sums it. */
  pageScore(lists, page) {
    let score = 0;
    for (const list of lists) score += list.part(page);
    return score;
  }

  /** One word as `best` reads it: the pages known so far with their locations, whether it
   * has been read to its end, the least that a page not yet read can have of the score
   * from it, and `next()` to read on. */
  async wordList(word, kind) {
    const known = new Map();
    const bonus = lengthBonus(1);
    const common = this.common.get(word);
    const list = { known, ended: false, bound: Infinity, pagesWith: common?.pages };
    list.part = (page) => {
      const flat = known.get(page);
      let sum = 0;
      for (let k = 0; k < flat.length; k += 2) sum += flat[k];
      return bm25(sum / 24, this.lengths[page], this.averageLength, this.ids.length, list.pagesWith, bonus);
    };
    if (!common) {
      const [pages, locations] = (await this.extensions(word)).get(word) || [[], []];
      pages.forEach((page, i) => {
        if (kind === "m" || locations[i].some((x, k) => k % 2 === 0 && x === TITLE_WEIGHT)) known.set(page, locations[i]);
      });
      list.pagesWith = pages.length;
      list.ended = true;
      list.bound = 0;
      list.next = async () => {};
      return list;
    }
    const blocks = blockCount(kind === "t" ? common.titled : common.pages, this.firstBlock);
    let read = 0;
    list.ended = blocks === 0;
    list.bound = blocks === 0 ? 0 : Infinity;
    list.next = async () => {
      const [pages, locations] = await this.impactBlock(common.file, kind, read);
      read += 1;
      let least = Infinity;
      pages.forEach((page, i) => {
        known.set(page, locations[i]);
        least = Math.min(least, list.part(page));
      });
      list.ended = read >= blocks;
      // Slack for the last bit of difference between Python's and the browser's arithmetic
      // in the order the index was written in.
      list.bound = list.ended ? 0 : least * (1 + 1e-9);
    };
    if (blocks) await list.next();
    return list;
  }

  /** Block j of a common word's list (search/impact.py): [pages, locations]. */
  impactBlock(file, kind, j) {
    const name = `${file}.${kind}${j}`;
    if (!this.loadedBlocks.has(name)) {
      this.loadedBlocks.set(name, fetchData(new URL(`impact/${name}.pf_index`, this.bundle)).then(readEntries));
    }
    return this.loadedBlocks.get(name);
  }
}

/** How many blocks a list of `count` pages has (search/impact.py block_ranges). */
function blockCount(count, first) {
  let blocks = 0;
  for (let start = 0, size = first; start < count; start += size, size *= 2) blocks += 1;
  return blocks;
}

/** A page's flat [weight, position, …] as the set of its positions. */
function atPositions(flat) {
  const out = new Set();
  for (let k = 1; k < flat.length; k += 2) out.add(flat[k]);
  return out;
}

/** A decoded chunk as word → [pages, locations] (`readEntries`). */
function readChunk([words]) {
  const out = new Map();
  for (const [word, entries] of words) out.set(word, readEntries(entries));
  return out;
}

/** A word's entries as [pages, locations]: the pages by number (stored as the difference
 * from the page before), and for each its locations as one flat array [weight, position,
 * weight, position, …] (stored as runs: a negative number -(w + 1) sets the weight w of
 * the positions after it, each the difference from the position before it in its run).
 * One array per page: a common word has hundreds of thousands of locations. */
function readEntries(entries) {
  const pages = new Array(entries.length);
  const locations = new Array(entries.length);
  let page = 0;
  entries.forEach(([difference, coded], i) => {
    page += difference;
    pages[i] = page;
    const flat = [];
    let weight = DEFAULT_WEIGHT;
    let position = 0;
    for (const x of coded) {
      if (x < 0) {
        weight = Math.min(255, -x - 1);
        position = 0;
      } else {
        position += x;
        flat.push(weight, position);
      }
    }
    locations[i] = flat;
  });
  return [pages, locations];
}
