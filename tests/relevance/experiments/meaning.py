"""Round 5 (measured, not shipped): would static word vectors add meaning to search's ranking?

Needs WordLlama, which the Makefile does not install (`.venv/bin/pip install wordllama==0.4.0.post1`;
its 256-dimension weights ship in the wheel, no download). Dev only unless a split is named; see
README.md, "Round 5". Usage: `.venv/bin/python tests/relevance/experiments/meaning.py [sentence|words]
[--dims 128] [--weight 0.2] [--split dev]`.

- `sentence`: the question's vector (the mean of its tokens' vectors) against every short text of a
  challenge (title, aliases, phrases, signals); a challenge scores its best text.
- `words`: per question word, its best cosine to each challenge's short texts; a question scores the
  mean over its words (decomposable: 41 numbers per word would ship, no text vectors).

Either score, as a z-score across challenges times `weight`, is added to each matched challenge's
BM25 score divided by the question's best one; challenges no word matched stay out.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import wordllama
from wordllama import WordLlama

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmark import scores  # noqa: E402

from fieldguide import search  # noqa: E402
from relevance import questions, root_catalog  # noqa: E402

SHORT = ("title", "aliases", "phrases", "signals")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["sentence", "words"], nargs="?", default="sentence")
    parser.add_argument("--dims", type=int, default=256, choices=[64, 128, 256])
    parser.add_argument("--weight", type=float, default=0.2)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True,
                           trunc_dim=args.dims if args.dims < 256 else None)
    cat, g = root_catalog()
    index = search.index_for(cat, g)
    docs = [d for d in search.documents(cat, g) if d.type == "challenge"]
    ids = [d.id for d in docs]
    owner = np.array([i for i, d in enumerate(docs) for f in SHORT for _ in d.fields.get(f, [])])
    texts = model.embed([t for d in docs for f in SHORT for t in d.fields.get(f, [])], norm=True)

    def best(sims: np.ndarray) -> np.ndarray:
        return np.array([sims[..., owner == j].max(axis=-1) for j in range(len(docs))]).T

    def word_row(w: str) -> np.ndarray:
        v = model.embedding[model.tokenizer.encode(w, add_special_tokens=False).ids].sum(0)
        return best(texts @ (v / (np.linalg.norm(v) + 1e-9)))

    qs = questions(args.split)
    accepted = [q["accept"] for q in qs]
    if args.mode == "sentence":
        meaning = best(model.embed([q["q"] for q in qs], norm=True) @ texts.T)
    else:
        stop = set(search.STOP_WORDS)
        rows = []
        for q in qs:
            ws = [w for w in re.findall(r"[a-z0-9]+", q["q"].lower()) if len(w) > 1 and w not in stop]
            rows.append(np.mean([word_row(w) for w in ws], axis=0) if ws else np.zeros(len(docs)))
        meaning = np.array(rows)
    lexical, alone, fused = [], [], []
    for q, m in zip(qs, meaning, strict=True):
        hits = {h.id: h.score for h in search.run(index, q["q"], prefix=False) if h.type == "challenge"}
        lexical.append(sorted(hits, key=lambda c: -hits[c]))
        alone.append([ids[i] for i in np.argsort(-m)])
        z = (m - m.mean()) / (m.std() + 1e-9)
        top = max(hits.values(), default=1.0)
        both = {c: hits[c] / top + args.weight * z[i] for i, c in enumerate(ids) if c in hits}
        fused.append(sorted(both, key=lambda c: -both[c]))
    for name, ranked in (("lexical (shipped)", lexical), (f"{args.mode} alone", alone), ("fused", fused)):
        print(f"{name:22} {args.split:8} {len(qs):4} " + " ".join(f"{x:.3f}" for x in scores(ranked, accepted)))


if __name__ == "__main__":
    main()
