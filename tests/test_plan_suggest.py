"""The planner page's suggestions (engine/suggest.js under Node) are `fieldguide plan --suggest`'s:
same facets, order, scores and trigger words, for every dev profile and for what a shared link may carry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import HERE, REAL
from fieldguide import graph, load, plan, search
from fieldguide.schema import Profile

sys.path.insert(0, str(HERE / "relevance"))
from relevance import profile_of, profiles  # noqa: E402

RUNNER = HERE / "relevance" / "run_engine.js"


def test_the_page_suggests_what_fieldguide_plan_suggests(tmp_path: Path) -> None:
    cat = load.load(REAL)
    g = graph.build(cat)
    data = search.build_index(cat, g)
    index = search.Index(data)
    entry = search.write_layout(data, tmp_path)
    titles = {"industry": {f.id: f.title for f in cat.facets.industries},
              "trait": {f.id: f.title for f in cat.facets.traits}}
    (tmp_path / "plan.json").write_text(json.dumps({"ranking": plan.weights_for_page(cat, g, index),
                                                    "titles": titles}), encoding="utf-8")
    written = [profile_of(p) for p in profiles("dev")]
    picked = written + [p.model_copy(update={"industry": None, "traits": []}) for p in written]
    picked += [Profile(description="rolled out to new hospitals; nurses decide"), Profile(description="   "),
               Profile.model_construct(name="prototype", industry="constructor", traits=["__proto__"], stages=[],
                                       description="constructor __proto__ toString hospital hospitals")]
    job = {"index": str(entry),
           "suggest": {"data": str(tmp_path / "plan.json"), "profiles": [p.model_dump() for p in picked]}}
    proc = subprocess.run(["node", str(RUNNER)], input=json.dumps(job), capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)["suggestions"]
    assert sum(map(len, out)) > len(picked), "the comparison covers real suggestions"
    for profile, js in zip(picked, out, strict=True):
        py = plan.suggest(cat, index, profile)
        assert [[x.kind, x.id, x.title, x.score, x.words] for x in py] == js, profile.name
