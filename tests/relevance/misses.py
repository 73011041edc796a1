"""Read the dev questions search does not answer first: the question, what it accepts, and the
engine's first three challenges with what each of the question's words added to their score.

Only the `dev` split is printed; holdout and blind are estimates and are never read one by one
(tests/relevance/README.md). Usage: `.venv/bin/python tests/relevance/misses.py [--all] [--typed]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fieldguide import search  # noqa: E402
from relevance import questions, root_catalog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every dev question, not only the misses")
    parser.add_argument("--typed", action="store_true", help="read questions as typed (the page), not submitted")
    args = parser.parse_args()
    cat, g = root_catalog()
    index = search.index_for(cat, g)
    misses = 0
    qs = questions("dev")
    for q in qs:
        hits = [h for h in search.run(index, q["q"], prefix=args.typed) if h.type == "challenge"]
        ids = [h.id for h in hits]
        ranks = [ids.index(a) + 1 for a in q["accept"] if a in ids]
        rank = min(ranks) if ranks else None
        if rank == 1 and not args.all:
            continue
        misses += rank != 1
        words = [s.word + ("" if s.alternatives else "?") for s in search.slots(index, q["q"], args.typed)]
        who = f" ({q['author']} author)" if q.get("author") else ""
        print(f"\n[{rank or '-'}]{who} {q['q']}\n    accept: {', '.join(q['accept'])}   words: {' '.join(words)}")
        shown = hits[:3] + [h for h in hits[3:] if h.id == q["accept"][0]]
        for h in shown:
            mark = "*" if h.id in q["accept"] else " "
            parts = " ".join(f"{w}={t}:{p:.2f}" for w, t, p in zip(h.matched, h.stems, h.parts, strict=True))
            print(f"  {mark}{ids.index(h.id) + 1:>2} {h.score:6.2f} {h.id:32} {parts}")
    print(f"\n{misses} of {len(qs)} dev questions not answered first")


if __name__ == "__main__":
    main()
