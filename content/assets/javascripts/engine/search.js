// The query side of the relevance engine, step for step the same as fieldguide/search.py (`slots`,
// `run`, the Porter stemmer, spelling and folding), over the index that Python builds
// (search/index.json and the parts it names, each fetched when a query first needs it). Imported by the header search box and the planner, and under Node by the
// parity tests and `make relevance`. Everything document-side (weights, synonyms, parameters, stop words,
// spelling rules) comes from the index, so there is one ranking, not two.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TYPES = ["challenge", "case-study", "mitigation", "reference"];

const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
const words = (text) => (fold(text).match(/[a-z0-9]+/g) || []).filter((w) => w.length > 1);

// ---------------------------------------------------------------- Porter stemmer (reference version)

const cons = (w, i) => {
  const ch = w[i];
  if ("aeiou".includes(ch)) return false;
  if (ch === "y") return i === 0 || !cons(w, i - 1);
  return true;
};

const measure = (stem) => {
  let m = 0;
  let i = 0;
  const n = stem.length;
  while (i < n && cons(stem, i)) i += 1;
  while (i < n) {
    while (i < n && !cons(stem, i)) i += 1;
    if (i >= n) break;
    while (i < n && cons(stem, i)) i += 1;
    m += 1;
  }
  return m;
};

const hasVowel = (stem) => {
  for (let i = 0; i < stem.length; i += 1) if (!cons(stem, i)) return true;
  return false;
};
const double = (w) => w.length >= 2 && w[w.length - 1] === w[w.length - 2] && cons(w, w.length - 1);
const cvc = (w) => {
  const n = w.length;
  return n >= 3 && cons(w, n - 3) && !cons(w, n - 2) && cons(w, n - 1) && !"wxy".includes(w[n - 1]);
};

const STEP2 = [["ational", "ate"], ["tional", "tion"], ["enci", "ence"], ["anci", "ance"], ["izer", "ize"],
  ["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"], ["ization", "ize"],
  ["ation", "ate"], ["ator", "ate"], ["alism", "al"], ["iveness", "ive"], ["fulness", "ful"],
  ["ousness", "ous"], ["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"], ["logi", "log"]];
const STEP3 = [["icate", "ic"], ["ative", ""], ["alize", "al"], ["iciti", "ic"], ["ical", "ic"], ["ful", ""],
  ["ness", ""]];
const STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism",
  "ate", "iti", "ous", "ive", "ize"];

const longest = (w, suffixes) => {
  let best = null;
  for (const s of suffixes) if (w.endsWith(s) && (best === null || s.length > best.length)) best = s;
  return best;
};

const replace = (w, rules, minM) => {
  const suffix = longest(w, rules.map((r) => r[0]));
  if (suffix === null) return w;
  const stem = w.slice(0, w.length - suffix.length);
  return measure(stem) > minM ? stem + rules.find((r) => r[0] === suffix)[1] : w;
};

const stemCache = new Map();
const stem = (word) => {
  let w = word;
  if (w.length <= 2) return w;
  if (stemCache.has(word)) return stemCache.get(word);
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies")) w = w.slice(0, -2);
  else if (w.endsWith("ss")) { /* kept */ } else if (w.endsWith("s")) w = w.slice(0, -1);
  if (w.endsWith("eed")) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else {
    for (const suffix of ["ed", "ing"]) {
      if (w.endsWith(suffix) && hasVowel(w.slice(0, -suffix.length))) {
        w = w.slice(0, -suffix.length);
        if (w.endsWith("at") || w.endsWith("bl") || w.endsWith("iz")) w += "e";
        else if (double(w) && !"lsz".includes(w[w.length - 1])) w = w.slice(0, -1);
        else if (measure(w) === 1 && cvc(w)) w += "e";
        break;
      }
    }
  }
  if (w.endsWith("y") && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + "i";
  w = replace(w, STEP2, 0);
  w = replace(w, STEP3, 0);
  const suffix = longest(w, STEP4);
  if (suffix !== null) {
    const s = w.slice(0, w.length - suffix.length);
    if (measure(s) > 1 && (suffix !== "ion" || s.endsWith("s") || s.endsWith("t"))) w = s;
  }
  if (w.endsWith("e")) {
    const m = measure(w.slice(0, -1));
    if (m > 1 || (m === 1 && !cvc(w.slice(0, -1)))) w = w.slice(0, -1);
  }
  if (w.endsWith("ll") && measure(w) > 1) w = w.slice(0, -1);
  stemCache.set(word, w);
  return w;
};

// ---------------------------------------------------------------- the index

const decode = (text, levels) => {
  const out = [];
  let doc = 0;
  let k = 0;
  while (k < text.length) {
    let gap = ALPHABET.indexOf(text[k]);
    k += 1;
    while (gap === ALPHABET.length - 1) {
      doc += gap;
      gap = ALPHABET.indexOf(text[k]);
      k += 1;
    }
    doc += gap;
    out.push([doc, levels[ALPHABET.indexOf(text[k])]]);
    k += 1;
  }
  return out;
};

const PART = /^[A-Za-z0-9_-]*$/;

// The index as the site ships it (fieldguide.search.layout): `data` is the entry file
// (search/index.json: parameters, lexicon, synonyms, the chunk and fragment maps), and `load(name)` a
// promise of the part search/<name> as parsed JSON. A query's postings chunks (`prepare`) and the
// fragments of the documents it shows (`loadDocs`) are fetched once each, when first needed.
class Index {
  constructor(data, load) {
    if (!data || data.layout !== 2) throw new Error("search/index.json is not an index this page can read (reload the page)");
    this.data = data;
    this.load = load;
    this.query = data.query;
    this.stop = new Set(data.stop);
    this.descriptionStop = new Set(data.description_stop); // left out of a project description only
    this.spelling = data.spelling.map(([pattern, repl]) => [new RegExp(pattern), repl]);
    this.families = new Map(Object.entries(data.families)); // word -> its family's stem (STEM_FAMILIES)
    // Looked up by the question's words: a Map, so "constructor" or "__proto__" is just a word.
    this.synonyms = new Map(Object.entries(data.synonyms));
    this.settings = new Set(data.settings);
    this.near = new Map(); // unknown word -> its stand-ins (nearWords), worked out once
    this.rarity = new Map(); // term and power -> factor per type (rarity)
    this.terms = new Map(); // the lexicon: term -> the number of the chunk holding its postings
    let k = 0;
    data.terms.forEach((t, i) => {
      while (k + 1 < data.chunks.length && data.chunks[k + 1] <= i) k += 1;
      this.terms.set(t, k);
    });
    this.sortedTerms = [...this.terms.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.size = data.counts.reduce((a, b) => a + b, 0);
    this.firstOf = data.counts.map((_, i) => data.counts.slice(0, i).reduce((a, b) => a + b, 0));
    this.lineOnly = new Set(data.line_only); // fieldguide.search.Index.line_only
    this.names = []; // per document: [terms in its name, its rarest name term] (Index.names)
    const at = (c) => ALPHABET.indexOf(c);
    for (let doc = 0; doc < this.size; doc += 1) {
      const code = data.names.slice(4 * doc, 4 * doc + 4);
      const n = at(code[0]);
      this.names.push([n, n ? data.terms[(at(code[1]) * 64 + at(code[2])) * 64 + at(code[3])] : ""]);
    }
    this.postingsOf = new Map(); // term -> [[document, weight]], once its chunk has arrived
    this.rows = new Map(); // document -> [type, id, title, meta, snippet], once its fragment has arrived
    this.pending = new Map(); // part name -> the promise of its arrival
  }

  // A part, fetched once; a failure is not kept, so that the next query tries again.
  part(kind, k, use) {
    const name = `${kind}-${this.data.parts[kind]}-${k}.json`;
    if (!this.pending.has(name)) {
      const promise = Promise.resolve().then(() => this.load(name)).then((part) => use(name, part));
      promise.catch(() => this.pending.delete(name));
      this.pending.set(name, promise);
    }
    return this.pending.get(name);
  }

  // The postings chunks of these terms (terms not in the lexicon have none).
  need(terms) {
    const chunks = new Set();
    for (const t of terms) if (this.terms.has(t)) chunks.add(this.terms.get(t));
    return Promise.all([...chunks].map((k) => this.part("p", k, (name, part) => {
      const first = this.data.chunks[k];
      const end = k + 1 < this.data.chunks.length ? this.data.chunks[k + 1] : this.data.terms.length;
      if (!part || part.first !== first || !Array.isArray(part.postings) || part.postings.length !== end - first
        || !part.postings.every((text) => typeof text === "string" && PART.test(text))) {
        throw new Error(`search/${name} does not belong to this index`);
      }
      part.postings.forEach((text, i) => {
        const postings = decode(text, this.data.levels);
        if (postings.some(([doc, w]) => !(doc < this.size) || w === undefined)) {
          throw new Error(`search/${name} does not belong to this index`);
        }
        this.postingsOf.set(this.data.terms[first + i], postings);
      });
    })));
  }

  // Everything `run` needs for this question: the postings of every term its words may stand for.
  prepare(text, { prefix = true, description = false } = {}) {
    return this.need(slots(this, text, prefix, description).flatMap((s) => s.alternatives.map(([t]) => t)));
  }

  // The fragments holding these documents (their ids, titles, meta and snippets).
  loadDocs(docs) {
    const size = this.data.fragment_docs;
    const fragments = new Set([...docs].map((doc) => Math.floor(doc / size)));
    return Promise.all([...fragments].map((k) => this.part("d", k, (name, part) => {
      const want = Math.min(size, this.size - k * size);
      if (!part || part.first !== k * size || !Array.isArray(part.docs) || part.docs.length !== want
        || !part.docs.every((row, i) => Array.isArray(row) && row[0] === this.typeOf(k * size + i)
          && row.slice(1).every((x) => typeof x === "string"))) {
        throw new Error(`search/${name} does not belong to this index`);
      }
      part.docs.forEach((row, i) => this.rows.set(k * size + i, row));
    })));
  }

  postings(t) {
    if (!this.postingsOf.has(t)) throw new Error(`search index: the postings of “${t}” were not fetched`);
    return this.postingsOf.get(t);
  }

  doc(n) {
    if (!this.rows.has(n)) throw new Error(`search index: document ${n} was not fetched`);
    return this.rows.get(n);
  }

  // Documents are numbered type by type (challenges first): a document's type needs no fragment.
  typeOf(doc) {
    let type = 0;
    while (type + 1 < this.firstOf.length && doc >= this.firstOf[type + 1]) type += 1;
    return type;
  }

  american(word) {
    let w = word;
    for (const [pattern, repl] of this.spelling) w = w.replace(pattern, repl);
    return w;
  }

  term(word) {
    const w = this.american(word);
    return this.families.get(w) || stem(w);
  }

  url(doc) {
    // `{initial}`: the id's first character (the bibliography's page of a reference: fieldguide.pages)
    return this.data.urls[TYPES[doc[0]]].replace("{initial}", doc[1][0]).replace("{id}", doc[1]);
  }
}

// A result: its document's id and title are read from the fragment, which must have been fetched.
class Hit {
  #index; // private: a result printed or serialised does not carry the whole index with it

  constructor(index, doc, type, score, matched, stems, parts) {
    this.#index = index;
    this.doc = doc;
    this.type = type;
    this.score = score;
    this.matched = matched; // the question's words it matched, the index term for each, and their weights
    this.stems = stems;
    this.parts = parts;
  }

  get id() { return this.#index.doc(this.doc)[1]; }

  get title() { return this.#index.doc(this.doc)[2]; }
}

const osaDistance = (a, b, limit) => {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2 = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    let low = cur[0];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      low = Math.min(low, v);
    }
    if (low > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
};

// The part of a question (or project description) the engine reads, in code points as Python counts.
const capped = (index, text, description = false) =>
  [...text].slice(0, index.query[description ? "max_description_chars" : "max_query_chars"]).join("");

// An unknown word's stand-ins: a near spelling of a known term, or a known term it starts with
// ("explainabilty" starts with "explain"), weighted by how much of the word that covers.
const nearWords = (index, word, s) => {
  if (index.near.has(word)) return index.near.get(word);
  const q = index.query;
  const limit = s.length >= q.fuzzy2 ? 2 : 1; // counted on the stem: "stuttering" is not "scatter" mistyped
  const w = index.american(word);
  const out = [];
  for (const t of index.sortedTerms) {
    // A likely typo keeps its first letter and is not a short known word with letters added.
    if (t[0] !== s[0] || (t.length < q.fuzzy1 && s.startsWith(t))) continue;
    if (osaDistance(s, t, limit) <= limit) out.push([t, q.fuzzy]);
    else if (t.length >= q.fuzzy1 && w.startsWith(t)) out.push([t, q.fuzzy * t.length / w.length]);
  }
  index.near.set(word, out);
  return out;
};

// The question's words (stop words dropped; at most max_query_words of a question), each with the
// index terms that may stand for it.
const slots = (index, text, prefix = true, description = false) => {
  const q = index.query;
  const folded = fold(capped(index, text, description));
  let tokens = words(folded).filter((w) => !index.stop.has(w));
  if (description) tokens = tokens.filter((w) => !index.descriptionStop.has(w));
  else tokens = tokens.slice(0, q.max_query_words);
  const typing = prefix && /[a-z0-9]$/.test(folded);
  const stems = tokens.map((w) => index.term(w));
  // A word inside a synonym phrase of the question is read with the phrase, not alone (search.py).
  const cover = stems.map(() => 1);
  for (let i = 0; i < stems.length; i += 1) {
    for (const n of [2, 3]) {
      if (i + 1 >= n && index.synonyms.has(stems.slice(i + 1 - n, i + 1).join(" "))) {
        for (let k = i + 1 - n; k <= i; k += 1) cover[k] = Math.max(cover[k], n);
      }
    }
  }
  const out = [];
  tokens.forEach((word, i) => {
    const s = stems[i];
    const alts = new Map();
    if (index.terms.has(s)) alts.set(s, 1.0);
    for (const n of [1, 2, 3]) {
      if (i + 1 >= n && n >= cover[i]) {
        for (const t of index.synonyms.get(stems.slice(i + 1 - n, i + 1).join(" ")) || []) {
          if (index.terms.has(t) && !alts.has(t)) alts.set(t, q.synonym);
        }
      }
    }
    // Only a word still being typed is completed: not a known word ("model" is not "mode" half-typed).
    if (typing && i === tokens.length - 1 && word.length >= q.min_prefix && !index.terms.has(s)) {
      const w = index.american(word);
      for (const t of index.sortedTerms) {
        if (!alts.has(t) && (t.startsWith(w) || (w.startsWith(t) && t.length >= 4 && w.length - t.length <= 3))) {
          alts.set(t, q.prefix * Math.min(w.length, t.length) / Math.max(w.length, t.length));
        }
      }
    }
    if (!index.terms.has(s) && word.length >= q.fuzzy1) {
      for (const [t, factor] of nearWords(index, word, s)) if (!alts.has(t)) alts.set(t, factor);
    }
    if (index.settings.has(s)) for (const [t, factor] of alts) alts.set(t, factor * q.setting); // where, not what
    out.push({ word, alternatives: [...alts.entries()] });
  });
  return out;
};

// Per document type, the factor idf ** power for this term, its idf as the index computed it from the
// documents of the type and those in the term's postings (fieldguide.search._rarity).
const rarity = (index, t, power) => {
  const key = `${t} ${power}`;
  if (!index.rarity.has(key)) {
    const held = TYPES.map(() => 0);
    for (const [doc] of index.postings(t)) held[index.typeOf(doc)] += 1;
    index.rarity.set(key, held.map((k, type) => (k && power
      ? Math.log(1 + (index.data.counts[type] - k + 0.5) / (k + 0.5)) ** power : 1.0)));
  }
  return index.rarity.get(key);
};

// Documents matching the question, grouped by type (challenges first), best first within a type.
const run = (index, text, { prefix = true, types = TYPES, description = false } = {}) => {
  const q = index.query;
  const allowed = new Set(types.map((t) => TYPES.indexOf(t)));
  const question = slots(index, text, prefix, description);
  const known = question.filter((s) => s.alternatives.length);
  if (!known.length) return [];
  const n = index.size;
  const total = new Array(n).fill(0);
  const matched = new Array(n).fill(0);
  const stemsHit = Array.from({ length: n }, () => []);
  const wordsHit = Array.from({ length: n }, () => []);
  const parts = Array.from({ length: n }, () => []);
  const idfPower = q[description ? "idf_power_description" : "idf_power"] - 1;
  for (const slot of known) {
    const best = new Map();
    const bestTerm = new Map();
    for (const [t, factor] of slot.alternatives) {
      const factors = rarity(index, t, idfPower);
      for (const [doc, w] of index.postings(t)) {
        const v = factor * w * factors[index.typeOf(doc)];
        if (v > (best.get(doc) || 0)) {
          best.set(doc, v);
          bestTerm.set(doc, t);
        }
      }
    }
    for (const doc of [...best.keys()].sort((a, b) => a - b)) {
      total[doc] += best.get(doc);
      matched[doc] += 1;
      wordsHit[doc].push(slot.word);
      stemsHit[doc].push(bestTerm.get(doc));
      parts[doc].push(best.get(doc));
    }
  }
  const hits = [];
  for (let doc = 0; doc < n; doc += 1) {
    if (!matched[doc] || !allowed.has(index.typeOf(doc))) continue;
    const share = matched[doc] / question.length; // words the index does not know count as not matched
    let power = share;
    for (let k = 0; k < Math.trunc(q.coord_power) - 1; k += 1) power *= share;
    const score = total[doc] * (q.coord_floor + (1 - q.coord_floor) * power);
    hits.push(new Hit(index, doc, TYPES[index.typeOf(doc)], score, wordsHit[doc], stemsHit[doc], parts[doc]));
  }
  hits.sort((a, b) => TYPES.indexOf(a.type) - TYPES.indexOf(b.type) || b.score - a.score || a.doc - b.doc);
  return hits;
};

// A document's name as terms, and every term of its title line (fieldguide.search.name_terms).
const nameTerms = (index, doc) => {
  const d = index.doc(doc);
  const head = d[2].split(" \u2014 ")[0];
  const name = new Set(words(head).filter((w) => w.length > 2 && !index.stop.has(w)).map((w) => index.term(w)));
  const line = d[2] + (["case-study", "reference"].includes(TYPES[d[0]]) ? ` ${d[3]}` : "");
  return [name, new Set(words(line).filter((w) => !index.stop.has(w)).map((w) => index.term(w)))];
};

const within = (a, b) => [...a].every((t) => b.has(t));

// Per document, how many of these terms it holds (from the terms' own postings).
const direct = (index, terms) => {
  const out = new Map();
  for (const t of terms) if (index.terms.has(t)) for (const [doc] of index.postings(t)) out.set(doc, (out.get(doc) || 0) + 1);
  return out;
};

// Whom a case study or reference is credited to, as terms (fieldguide.search.byline_terms): a
// reference's authors; a case study's organisation, or the part of it in brackets when there is one.
const bylineTerms = (index, doc) => {
  const d = index.doc(doc);
  const kind = TYPES[d[0]];
  if (kind !== "case-study" && kind !== "reference") return new Set();
  const cut = d[3].lastIndexOf(kind === "case-study" ? ", " : " (");
  let who = cut >= 0 ? d[3].slice(0, cut) : d[3];
  if (kind === "case-study" && who.endsWith(")") && who.includes("(")) who = who.slice(who.lastIndexOf("(") + 1, -1);
  return new Set(words(who.replaceAll("et al.", " ")).filter((w) => !index.stop.has(w)).map((w) => index.term(w)));
};

// Which documents' titles topHit must read (fieldguide.search._TitleRule): one that may be named holds
// its name's key term and at least as many of the question's terms as its name has; any other way to
// lead by title needs every term of the question in its postings (but for terms only title lines
// carry), and at most top_among documents holding them ("machine learning", in half the titles, singles
// out none). No other document can lead by title.
const titleRule = (index, question, hits) => {
  let challenge = 0;
  for (const h of hits) if (h.type === "challenge") challenge = Math.max(challenge, h.score);
  const titledFrom = index.query.top_ratio * challenge;
  const plain = new Set([...question].filter((t) => !index.lineOnly.has(t)));
  const all = direct(index, question);
  const plainHeld = direct(index, plain);
  const holds = (h) => (plainHeld.get(h.doc) || 0) >= plain.size;
  let held = 0;
  for (const h of hits) if (h.type !== "challenge" && holds(h)) held += 1;
  const few = plain.size > 0 && held <= index.query.top_among;
  const named = (h) => {
    const [n, key] = index.names[h.doc];
    return n > 0 && question.has(key) && 2 * n >= question.size && (all.get(h.doc) || 0) >= n;
  };
  return { few, titledFrom, reads: (h) => named(h) || (few && holds(h)) };
};

// The documents whose titles topHit reads for these hits: their fragments are fetched first.
const topCandidates = (index, text, hits) => {
  const rule = titleRule(index, new Set(slots(index, text, false).map((s) => index.term(s.word))), hits);
  return hits.filter((h) => h.type !== "challenge" && rule.reads(h)).map((h) => h.doc);
};

// The case study, mitigation or reference shown above the groups (fieldguide.search.top_hit, which lists
// the five rules): named by the question; far above everything else; credited to someone the question
// names; a name the question is half of; a title line holding the question.
const topHit = (index, text, hits) => {
  const question = new Set(slots(index, text, false).map((s) => index.term(s.word)));
  const ratio = index.query.top_ratio;
  const rule = titleRule(index, question, hits);
  let best = null;
  let runnerUp = 0;
  const found = [null, null, null, null]; // rules 1, 3, 4 and 5
  for (const h of hits) {
    if (h.type === "challenge") continue;
    if (best === null || h.score > best.score) {
      runnerUp = best ? best.score : 0;
      best = h;
    } else {
      runnerUp = Math.max(runnerUp, h.score);
    }
    if (!rule.reads(h)) continue; // it cannot lead by its title: its title is not needed
    const [name, line] = nameTerms(index, h.doc);
    const single = rule.few && within(question, line); // the question singles it out, and its title line holds it
    const wholeTitle = single && new Set(words(index.doc(h.doc)[2]).filter((w) => w.length > 2 && !index.stop.has(w))
      .map((w) => index.term(w)));
    const byline = single && bylineTerms(index, h.doc);
    const met = [(name.size > 0 && within(name, question) && 2 * name.size >= question.size)
      || (wholeTitle && wholeTitle.size > 0 && within(wholeTitle, question)),
      single && [...question].some((t) => byline.has(t)),
      single && within(question, name) && 2 * question.size >= name.size && h.score >= rule.titledFrom,
      single && question.size > 1 && h.score >= rule.titledFrom];
    met.forEach((ok, k) => {
      if (ok && (found[k] === null || h.score > found[k].score)) found[k] = h;
    });
  }
  if (found[0] !== null) return found[0];
  if (best !== null && best.score >= rule.titledFrom && best.score >= ratio * runnerUp) return best;
  return found.find((h) => h !== null) ?? null;
};

// What a reader sees for a question, with everything it needs fetched (fieldguide.search.listing and
// files_for): the postings of its terms, then the titles topHit reads, then the documents shown, at most
// limits[type] of each group besides the top hit. Resolves to {hits, top, shown}.
const answer = async (index, text, { prefix = true } = {}) => {
  await index.prepare(text, { prefix });
  const hits = run(index, text, { prefix });
  await index.loadDocs(topCandidates(index, text, hits));
  const top = topHit(index, text, hits);
  const count = {};
  const shown = hits.filter((h) => h !== top && (count[h.type] = (count[h.type] || 0) + 1) <= index.data.limits[h.type]);
  await index.loadDocs([...(top ? [top] : []), ...shown].map((h) => h.doc));
  return { hits, top, shown };
};

// The planner's description: its terms' postings and the challenges it matches, fetched before
// rankProfile (which is synchronous) ranks with them.
const prepareDescription = async (index, description) => {
  if (!index || !description || !description.trim()) return;
  await index.prepare(description, { prefix: false, description: true });
  await index.loadDocs(run(index, description, { prefix: false, types: ["challenge"], description: true }).map((h) => h.doc));
};

// ---------------------------------------------------------------- the planner (fieldguide.plan.rank)

// An index the planner also reads (the contexts', the deployments': fieldguide.plan.reading_files) from its own entry and the
// tables it shares with `main`, the search index, which its entry leaves out (search.SHARED_KEYS).
const sharing = (main, entry, load) => new Index({ ...main.data, ...entry }, load);

// Per challenge: the description's relevance to it, as a share of the best challenge's, mixed from its own
// words (`index`) and its contexts (`contexts`, the contexts' index, or null), and the words matched
// by either: fieldguide.plan.describe.
const describe = (index, description, maxWords, contexts = null, share = 0, withContexts = []) => {
  const byWords = relevance(index, description, maxWords);
  if (!contexts) return byWords;
  const byContexts = relevance(contexts, description, maxWords);
  const held = new Set(withContexts); // a challenge without contexts is read on its own words alone
  const out = new Map();
  for (const cid of [...byWords.keys(), ...[...byContexts.keys()].filter((c) => !byWords.has(c))]) {
    const [a, named] = byWords.get(cid) || [0, []];
    const [b, also] = held.has(cid) ? byContexts.get(cid) || [0, []] : [a, []];
    const both = []; // taken in turn from each reading, so that both show among the words named
    for (let k = 0; k < Math.max(named.length, also.length); k += 1) {
      for (const w of [named[k], also[k]]) if (w !== undefined && !both.includes(w)) both.push(w);
    }
    out.set(cid, [(1 - share) * a + share * b, both.slice(0, maxWords)]);
  }
  return out;
};

// Per challenge of this index: relevance to the description as a share of the best one, and the words matched.
const relevance = (index, description, maxWords) => {
  const out = new Map();
  if (!description || !description.trim()) return out;
  const hits = run(index, description, { prefix: false, types: ["challenge"], description: true });
  if (!hits.length) return out;
  const top = hits[0].score;
  for (const h of hits) {
    const seen = [];
    const terms = new Set();
    // The words that weighed most first; one word per index term ("loan", not "loans" too).
    const byWeight = h.matched.map((_, k) => k).sort((a, b) => h.parts[b] - h.parts[a] || a - b);
    for (const k of byWeight) {
      if (!terms.has(h.stems[k]) && seen.length < maxWords) {
        seen.push(h.matched[k]);
        terms.add(h.stems[k]);
      }
    }
    out.set(h.id, [h.score / top, seen]);
  }
  return out;
};

// Per challenge: what its deployments among the description's `neighbours` closest score, as a share of
// the best challenge's, and those deployments as [name, source address] (closest first, at most `named`):
// fieldguide.plan.similar.
const similarShares = (index, description, neighbours, named) => {
  const out = new Map();
  if (!index || !description || !description.trim()) return out;
  const hits = run(index, description, { prefix: false, types: ["challenge"], description: true }).slice(0, neighbours);
  const total = new Map();
  const names = new Map();
  for (const h of hits) {
    total.set(h.id, (total.get(h.id) || 0) + h.score);
    if (!names.has(h.id)) names.set(h.id, []);
    names.get(h.id).push([h.title, index.doc(h.doc)[3]]);
  }
  if (!total.size) return out;
  const top = Math.max(...total.values());
  for (const [cid, score] of total) out.set(cid, [score / top, names.get(cid).slice(0, named)]);
  return out;
};

const round2 = (x) => Math.floor(x * 100 + 0.5) / 100;

// A weight looked up by a name from the profile (a URL may carry any "industry" or "trait"): only
// the data's own keys count, never Object.prototype's ("constructor", "toString").
const own = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);

// How strongly a description implies each facet of `facets` (data.json's `ranking.suggest.facets`): per kind,
// a Map of facet id -> [score, words], as fieldguide.plan.facet_scores computes it (each facet term once, by
// its best word; words strongest first, at most `maxWords`). Read by engine/suggest.js and rankProfile.
const facetScores = (facets, index, description, maxWords) => {
  const question = description.trim() ? slots(index, description, false, true) : [];
  const out = {};
  for (const kind of Object.keys(facets)) {
    out[kind] = new Map();
    for (const [fid, terms] of Object.entries(facets[kind])) {
      const best = new Map(); // facet term -> [weight, the word that matched it]
      for (const slot of question) {
        for (const [t, factor] of [[index.term(slot.word), 1.0], ...slot.alternatives]) {
          if (Object.hasOwn(terms, t) && factor * terms[t] > (best.get(t)?.[0] ?? 0)) best.set(t, [factor * terms[t], slot.word]);
        }
      }
      let score = 0;
      for (const [w] of best.values()) score += w;
      const named = [];
      for (const [, word] of [...best.values()].sort((a, b) => b[0] - a[0])) {
        if (!named.includes(word) && named.length < maxWords) named.push(word);
      }
      out[kind].set(fid, [score, named]);
    }
  }
  return out;
};

// The profile's ticked traits that its description implies (fieldguide.plan.implied_traits): they count at
// `ranking.implied` of their weight.
const impliedTraits = (ranking, index, profile) => {
  const traits = profile.traits || [];
  const description = profile.description || "";
  if (!index || !traits.length || !description.trim()) return new Set();
  const scores = facetScores(ranking.suggest.facets, index, description, ranking.max_words).trait;
  return new Set(traits.filter((t) => scores.has(t) && scores.get(t)[0] >= ranking.suggest.min));
};

// Same arithmetic, in the same order, as fieldguide.plan.rank; `ranking` is data.json's `ranking`.
const rankProfile = (ranking, index, profile, contexts = null, deployments = null) => {
  const order = ranking.order;
  const implied = impliedTraits(ranking, index, profile);
  const read = index ? describe(index, profile.description || "", ranking.max_words, contexts, ranking.contexts_share,
    ranking.with_contexts) : new Map();
  const like = index ? similarShares(deployments, profile.description || "", ranking.neighbours, ranking.named) : new Map();
  const ranked = [];
  for (const cid of order) {
    if (profile.stages && profile.stages.length && !profile.stages.includes(own(ranking.stage_of, cid))) continue;
    const w = ranking.weights[cid];
    const traits = (profile.traits || []).filter((t) => Object.hasOwn(w.traits, t));
    let score = w.base;
    for (const t of traits) score += w.traits[t] * (implied.has(t) ? ranking.implied : 1.0);
    if (profile.industry) score += own(w.industries, profile.industry) || 0;
    const [share, matched] = read.get(cid) || [0, []];
    score += ranking.description * share;
    const [near, named] = like.get(cid) || [0, []];
    score += ranking.similar * near;
    ranked.push({
      id: cid, score: round2(score), traits, words: matched, similar: named.map(([n]) => n),
      sources: named.map(([, u]) => u), cases: w.cases, industry: profile.industry || null,
      tagged: Boolean(profile.industry) && w.industry_tags.includes(profile.industry),
      industryCases: profile.industry ? (own(w.industry_cases, profile.industry) || 0) : 0,
    });
  }
  ranked.sort((a, b) => b.score - a.score || order.indexOf(a.id) - order.indexOf(b.id));
  return ranked;
};

export {
  TYPES, fold, words, stem, decode, osaDistance, Index, capped, slots, run, topHit, topCandidates, answer,
  prepareDescription, sharing, describe, similarShares, facetScores, rankProfile,
};
