"""Own words: find prose in the catalog that repeats the survey word for word.

The repository does not carry the survey's text. It carries `tests/data/survey-10grams.txt`: a
truncated SHA-256 of every run of 10 consecutive words in the survey's body (the bibliography is
exempt: titles and authors are facts to keep). A run of 10 words in our prose whose hash is in that
set repeats the survey. Same word rule as the team's original checker, so both report the same runs.

    python tests/tools/own_words.py [PATH ...]           # default: catalog content; exit 1 on a hit
    python tests/tools/own_words.py --rebuild SURVEY.txt  # maintainers: regenerate the hash file
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

N = 10  # words per run
HASHES = Path(__file__).resolve().parent.parent / "data" / "survey-10grams.txt"
TEXT_ENDINGS = (".yaml", ".yml", ".md", ".markdown", ".txt", ".json", ".html")
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def digest(run: tuple[str, ...] | list[str]) -> str:
    # 48 bits: with ~13,000 runs in the survey, a false hit is about one in 20 billion windows.
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:12]


def survey_hashes(path: Path = HASHES) -> set[str]:
    return {line for line in path.read_text(encoding="utf-8").split() if not line.startswith("#")}


def rebuild(survey: Path) -> int:
    body = survey.read_text(encoding="utf-8").split("\nReferences\n")[0]
    w = words(body)
    found = sorted({digest(w[i:i + N]) for i in range(len(w) - N + 1)})
    HASHES.write_text("# SHA-256 (first 12 hex digits) of every 10-word run of the survey's body;"
                      " see tests/tools/own_words.py\n" + "\n".join(found) + "\n", encoding="utf-8")
    print(f"wrote {len(found)} hashes to {HASHES}")
    return 0


def files(paths: list[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            yield from (os.path.join(root, n) for n in sorted(names) if n.endswith(TEXT_ENDINGS))


def repeats(paths: list[str], grams: set[str]) -> list[str]:
    """`path:line: run of N words` for every passage that repeats the survey (longest run once)."""
    out = []
    for path in files(paths):
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        seq = [(w, n) for n, line in enumerate(lines, 1) for w in words(line)]
        hits = [digest([w for w, _ in seq[i:i + N]]) in grams for i in range(len(seq) - N + 1)]
        i = 0
        while i < len(hits):
            if hits[i]:
                j = i
                while j + 1 < len(hits) and hits[j + 1]:
                    j += 1
                out.append(f"{path}:{seq[i][1]}: {j - i + N} words as in the survey: "
                           f"\"{' '.join(w for w, _ in seq[i:j + N])}\"")
                i = j + N
            else:
                i += 1
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--rebuild"]:
        return rebuild(Path(argv[1]))
    found = repeats(argv or [p for p in ("catalog", "content") if os.path.exists(p)], survey_hashes())
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} passage(s) repeat the survey word for word: say it in your own words.")
        return 1
    print(f"no run of {N} words repeats the survey")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
