"""The checklist state file: one corpus, the same verdicts from the CLI, the page's reader (run by Node)
and ajv; the merge, from one set of golden cases and from property tests over generated files, in
Python and in the page's JavaScript; clock sanity; `fieldguide checklist merge`."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HERE, cli
from fieldguide import DEFAULT_SITE_URL, controls, render, schema, statefile
from fieldguide.cli import main
from fieldguide.schema import ItemState
from state_corpus import BEYOND_SCHEMA, corpus

RUNNER = HERE / "js" / "statefile_runner.js"
MERGE_CASES = sorted((HERE / "golden" / "merge").glob("*.json"))
NOW = "2026-12-01T12:00:00Z"  # this computer's clock, as the tests set it for both readers
NOW_DT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def node(*args: str) -> list[dict] | dict:
    proc = subprocess.run(["node", str(RUNNER), *args], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, Path]]:
    return corpus(tmp_path_factory.mktemp("state-corpus"))


@pytest.fixture(scope="module")
def published_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "checklist-state.schema.json"
    path.write_text(json.dumps(schema.state_json_schema(DEFAULT_SITE_URL)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page_verdicts(files, published_schema: Path) -> dict[str, dict]:
    return {Path(r["file"]).stem: r for r in node("read", str(published_schema), NOW, *(str(p) for _, _, p in files))}


def test_the_corpus_covers_what_the_issue_lists(files) -> None:
    names = {name for name, _, _ in files}
    for needed in ("unknown-top-level-key", "over-1-mib", "lone-surrogate-in-note", "owner-is-a-number",
                   "date-february-30", "url-javascript", "control-escape-sequence-in-owner", "repeated-item-key",
                   "item-id-listed-twice", "v1-site-export", "na-with-empty-reason", "v3-every-field", "v3-far-future",
                   "v3-reason-nbsp-only", "v3-reason-zero-width-space", "v3-by-with-bidi-override", "v2-planner-stamp",
                   "v3-replaces-nine"):
        assert needed in names
    assert sum(v == "accept" for _, v, _ in files) >= 25 and sum(v == "refuse" for _, v, _ in files) >= 95


def test_cli_and_page_give_the_same_verdict_on_every_file(files, page_verdicts, valid_catalog: Path) -> None:
    wrong = []
    for name, expected, path in files:
        result = CliRunner().invoke(main, ["checklist", "--format", "json", "--state", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        cli = "accept" if result.exit_code == 0 else "refuse"
        page = "accept" if page_verdicts[name]["accepted"] else "refuse"
        if not cli == page == expected:
            wrong.append(f"{name}: expected {expected}, CLI {cli}, page {page}: {result.stderr.strip()[:200]} "
                         f"{page_verdicts[name]['errors'][:1]}")
        if cli == "refuse":  # one clear `path:line: checklist: field: message` line, then the count
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 2 and re.match(rf".*{re.escape(path.name)}:\d+: checklist: \S+: \S", lines[0]), lines
    assert wrong == []


def test_cli_and_page_read_the_same_items_and_warnings(files, page_verdicts) -> None:
    for name, expected, path in files:
        if expected != "accept":
            continue
        parsed, problems = statefile.read(path, now=NOW_DT)
        assert problems == []
        assert [statefile.item_json(i) for i in parsed.items] == page_verdicts[name]["items"], name
        assert parsed.warnings == page_verdicts[name]["warnings"], name


def test_ajv_agrees_with_the_schema_part_of_every_verdict(files, published_schema: Path) -> None:
    """ajv, the reference validator, applies the published schema alone: it must accept exactly the
    files refused for reasons beyond a schema, and agree on every other file it can parse."""
    verdicts = {Path(r["file"]).stem: r["accepted"] for r in node("ajv", str(published_schema),
                                                                   *(str(p) for _, _, p in files))}
    for name, expected, _ in files:
        if verdicts[name] is None:  # not JSON: the schema never sees it
            assert expected == "refuse", name
        elif name in BEYOND_SCHEMA:
            assert verdicts[name] is True, name
        else:
            assert verdicts[name] == (expected == "accept"), name


def test_the_page_shares_the_python_constants() -> None:
    shared = node("constants")
    assert shared["REASON_PATTERN"] == schema.REASON_PATTERN
    assert shared["V1_NA_REASON"] == schema.V1_NA_REASON and shared["V2_BLANK_REASON"] == schema.V2_BLANK_REASON
    assert shared["PLAN_REASON"] == statefile.PLAN_REASON and shared["FIELDS"] == list(schema.FIELDS)
    assert shared["MAX_REPLACES"] == schema.MAX_REPLACES and shared["NEEDS_REASON"] == list(schema.NEEDS_REASON)
    assert shared["CONTROL"] == controls.CLASS and shared["LINE_PATTERN"] == schema.LINE_PATTERN
    line = schema.Stamp.model_fields["by"].metadata
    assert shared["MAX_LINE"] == next(m.max_length for m in line if getattr(m, "max_length", None))


# ---------------------------------------------------------------- versions 1 and 2 still read


def _fields(path: Path) -> dict[str, statefile.Fields]:
    state, problems = statefile.read(path, now=NOW_DT)
    assert problems == [], problems
    return statefile.state_of(state.items)


def test_version_1_files_are_converted_without_times() -> None:
    state, problems = statefile.read(HERE / "states" / "corpus" / "accept" / "v1-na-without-reason.json", now=NOW_DT)
    assert problems == [] and state.version == 1
    assert state.items[0].status == "na" and state.items[0].reason == schema.V1_NA_REASON
    status = statefile.fields_of(state.items[0])["status"]
    assert status.at is None and status.weak, "the conversion text is a default, with no time: any person's value wins"


def test_version_2_item_times_become_each_fields_time_and_empty_fields_stay_unset() -> None:
    items = _fields(HERE / "states" / "corpus" / "accept" / "v2-every-field.json")
    owners = items["data-discovery-source-owners"]
    assert {name: (c.at, c.by) for name, c in owners.items()} == {
        name: ("2026-11-29T10:00:00Z", "Ana") for name in ("status", "owner", "note", "evidence")}
    assert set(items["data-profiling-report"]) == {"status", "owner"}, "an empty note never erases a teammate's"
    assert items["model-stealing-rate-limits"] == {}, "open with nothing written: nothing set"


def test_version_2_defaults_the_guide_wrote_are_read_as_defaults() -> None:
    stamp = _fields(HERE / "states" / "corpus" / "accept" / "v2-planner-stamp.json")["data-profiling-report"]["status"]
    assert stamp.weak and stamp.value == ("na", "out of scope for Credit v2")
    blank = _fields(HERE / "states" / "corpus" / "accept" / "v2-reason-nbsp-only.json")["data-discovery-catalogue"]
    assert blank["status"].value == ("accepted-risk", schema.V2_BLANK_REASON) and blank["status"].weak


def test_the_published_schema_is_the_generated_one_with_draft_and_id() -> None:
    from conftest import VALID
    from fieldguide import graph, load

    cat = load.load(VALID)
    files = render.render(cat, graph.build(cat), site_url="https://guide.example.org/")
    published = json.loads(files["downloads/schema/checklist-state.schema.json"])
    assert published == schema.state_json_schema("https://guide.example.org/")
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert published["$id"] == "https://guide.example.org/downloads/schema/checklist-state.schema.json"


def test_cli_reports_the_line_of_the_problem(tmp_path: Path, valid_catalog: Path) -> None:
    path = tmp_path / "team.json"
    path.write_text('{\n  "format": "fieldguide-checklist",\n  "version": 3,\n  "items": [\n'
                    '    {"id": "data-discovery-source-owners", "status": "done"},\n'
                    '    {"id": "data-discovery-catalogue", "status": "na",\n     "reason": "\u00a0"}\n  ]\n}\n')
    result = cli("checklist", "--state", path, code=1)
    assert ("team.json:7: checklist: items[1].reason: a reason with at least one visible character is required "
            "when the status is na") in result.stderr


# ---------------------------------------------------------------- clock sanity


def test_a_change_time_far_ahead_is_counted_as_now_with_a_warning_on_both_sides(published_schema: Path) -> None:
    path = HERE / "states" / "corpus" / "accept" / "v3-far-future.json"
    state, _ = statefile.read(path, now=NOW_DT)
    assert statefile.fields_of(state.items[0])["status"].at == NOW
    expected = (f"items[0] (data-discovery-source-owners): status: change time 9999-12-31T23:59:59Z is more than a "
                f"day ahead of this computer's clock; counted as {NOW}")
    assert state.warnings == [expected]
    page = node("read", str(published_schema), NOW, str(path))[0]
    assert page["warnings"] == [expected] and page["items"][0]["changed"]["status"]["at"] == NOW
    # 23 hours ahead is a clock a little fast, not a wrong one: kept as written.
    soon = path.with_name("x.json")
    try:
        soon.write_text(path.read_text().replace("9999-12-31T23:59:59Z", "2026-12-02T11:00:00Z"))
        assert statefile.read(soon, now=NOW_DT)[0].warnings == []
    finally:
        soon.unlink()


def test_a_far_future_time_no_longer_wins_every_later_merge(tmp_path: Path) -> None:
    """The issue's case: `9999-12-31T23:59:59Z` from a wrong clock or a hand-edited file won every merge
    with "0 changed". Now it counts as the time it is read, so a change made after that wins."""
    wrong = _state_file(tmp_path / "wrong.json", [{"id": "x-one", "status": "done",
                                                  "changed": {"status": {"at": "9999-12-31T23:59:59Z", "by": "Kim"}}}])
    soon = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # Ana's clock: a little fast
    later = _state_file(tmp_path / "later.json", [{"id": "x-one", "status": "in-progress",
                                                  "changed": {"status": {"at": soon, "by": "Ana"}}}])
    for order in ((wrong, later), (later, wrong)):
        result = cli("checklist", "merge", *order)
        assert "warning: " in result.stderr and "9999-12-31T23:59:59Z is more than a day ahead" in result.stderr
        assert json.loads(result.stdout)["items"][0]["status"] == "in-progress"
        assert "conflict: x-one: status: kept in-progress (Ana" in result.stderr


# ---------------------------------------------------------------- merge: golden cases, two implementations


def _state(raw: list[dict]) -> dict[str, statefile.Fields]:
    return statefile.state_of([ItemState.model_validate(i) for i in raw])


def _canonical(raw: list[dict]) -> list[dict]:
    return [statefile.item_json(ItemState.model_validate(i)) for i in raw]


def _report(r: statefile.Report) -> dict:
    return {"fields": [[f.id, f.field, f.kind, f.kept] for f in r.fields], **r.counts()}


@pytest.mark.parametrize("case", MERGE_CASES, ids=lambda p: p.stem)
def test_python_merge_matches_the_golden_case(case: Path) -> None:
    golden = json.loads(case.read_text(encoding="utf-8"))
    result = statefile.compare(_state(golden["local"]), _state(golden["incoming"]))
    expected = golden["expected"]
    assert [statefile.item_json(i) for i in statefile.items_of(result.merged)] == _canonical(expected["items"])
    assert _report(result) == {k: expected[k] for k in ("fields", "new", "changed", "unchanged", "conflicts")}


def test_page_merge_matches_every_golden_case() -> None:
    results = {Path(r["file"]).stem: r for r in node("merge", *(str(p) for p in MERGE_CASES))}
    assert len(results) == len(MERGE_CASES) >= 15
    for case in MERGE_CASES:
        expected = json.loads(case.read_text(encoding="utf-8"))["expected"]
        got = results[case.stem]
        assert got["items"] == _canonical(expected["items"]), case.stem
        assert {k: got[k] for k in ("fields", "new", "changed", "unchanged", "conflicts")} == \
            {k: expected[k] for k in ("fields", "new", "changed", "unchanged", "conflicts")}, case.stem


def test_the_golden_cases_show_every_kind_of_outcome() -> None:
    kinds = set()
    for case in MERGE_CASES:
        expected = json.loads(case.read_text(encoding="utf-8"))["expected"]
        kinds |= {(kind, kept) for _, _, kind, kept in expected["fields"]}
        kinds |= {name for name in ("new", "unchanged") if expected[name]}
    assert kinds == {("changed", "theirs"), ("conflict", "theirs"), ("conflict", "mine"), "new", "unchanged"}


def _state_file(path: Path, items: list[dict], **top) -> Path:
    path.write_text(json.dumps({"format": "fieldguide-checklist", "version": 3, **top, "items": items}),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("case", MERGE_CASES, ids=lambda p: p.stem)
def test_cli_merge_gives_the_golden_result_in_both_orders(case: Path, tmp_path: Path) -> None:
    golden = json.loads(case.read_text(encoding="utf-8"))
    mine = _state_file(tmp_path / "mine.json", golden["local"])
    theirs = _state_file(tmp_path / "theirs.json", golden["incoming"])
    outputs = []
    for order in ((mine, theirs), (theirs, mine)):
        out = tmp_path / "merged.json"
        result = cli("checklist", "merge", *order, "--out", out)
        merged, problems = statefile.read(out, now=NOW_DT)
        assert problems == [], "the merged file is itself a valid state file"
        assert [statefile.item_json(i) for i in merged.items] == _canonical(golden["expected"]["items"])
        outputs.append(out.read_text(encoding="utf-8"))
        if order[0] == mine:  # stderr names every field the merge changes or settles, relative to the first file
            named = re.findall(r"^(changed|conflict): (\S+): (\S+):", result.stderr, re.MULTILINE)
            expected = {(kind, i, f) for i, f, kind, _ in golden["expected"]["fields"]}
            assert set(named) == expected, result.stderr
    assert outputs[0] == outputs[1], "the same file whatever the order"
    if not any("exported" in json.loads(f.read_text(encoding="utf-8")) for f in (mine, theirs)):
        assert "exported" not in json.loads(outputs[0]), "no input says when: the merge invents no time"


# ---------------------------------------------------------------- the laws of a join, on both sides

STAMPS = ["2026-11-29T09:00:00Z", "2026-11-29T10:00:00Z", "2026-11-30T08:15:00Z"]
NAMES = ["", "Ana", "Bea"]
IDS = ["a-one", "a-two", "b-one"]
_time = st.one_of(st.none(), st.sampled_from(STAMPS))
_replaced = st.lists(st.builds(lambda at, by: {"at": at, **({"by": by} if by else {})}, st.sampled_from(STAMPS),
                               st.sampled_from(NAMES)), max_size=3, unique_by=lambda r: (r["at"], r.get("by", "")))


@st.composite
def stamps(draw) -> dict | None:
    if draw(st.booleans()):
        return None
    entry: dict = {}
    if (at := draw(_time)) is not None:
        entry["at"] = at
    if by := draw(st.sampled_from(NAMES)):
        entry["by"] = by
    if draw(st.booleans()):
        entry["default"] = True
    if replaced := draw(_replaced):
        entry["replaces"] = replaced
    return entry


@st.composite
def items(draw, item_id: str) -> dict:
    status = draw(st.sampled_from(["open", "in-progress", "done", "accepted-risk", "na"]))
    item = {"id": item_id, "status": status}
    reason = draw(st.sampled_from(["", "One source", "out of scope for Credit v2"]))
    if status in ("accepted-risk", "na") and not reason:
        reason = "No budget"
    for name, value in (("reason", reason), ("owner", draw(st.sampled_from(["", "Ana", "carol"]))),
                        # code point order differs from UTF-16 order above U+FFFF: ties on value must agree
                        ("note", draw(st.sampled_from(["", "see the wiki", "é\nü", "\ue000 private", "🙂 done"]))),
                        ("evidence", draw(st.sampled_from(["", "https://x.example/pr/1"])))):
        if value:
            item[name] = value
    changed = {name: s for name in schema.FIELDS if (s := draw(stamps())) is not None}
    if changed:
        item["changed"] = changed
    return item


@st.composite
def state_files(draw) -> list[dict]:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=3))
    return [draw(items(i)) for i in ids]


def _merged_json(state: dict[str, statefile.Fields]) -> list[dict]:
    return [statefile.item_json(i) for i in statefile.items_of(state)]


@settings(max_examples=max(6, settings().max_examples // 15), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(state_files(), state_files(), state_files()), min_size=12, max_size=12))
def test_merge_is_a_join_in_python_and_the_page_agrees(tmp_path_factory, triples) -> None:
    """Commutative, associative, idempotent, and so "everyone who has seen the same files shows the same
    state" in any order. The same generated files, written to a folder, go through the page's reader
    and merge under Node, which must give the same items and the same import reports."""
    folder = tmp_path_factory.mktemp("laws")
    plan, expected = [], []
    for n, triple in enumerate(triples):
        paths = [_state_file(folder / f"{n}-{k}.json", raw) for k, raw in enumerate(triple)]
        a, b, c = (_fields(p) for p in paths)
        j = statefile.join
        assert j(a, b) == j(b, a)
        assert j(j(a, b), c) == j(a, j(b, c))
        assert j(a, a) == a and j(j(a, b), b) == j(a, b)
        every_order = {json.dumps(_merged_json(j(*(x for x in order)))) for order in itertools.permutations((a, b, c))}
        assert len(every_order) == 1
        # A merged file written and read again is the same state (nothing lost in the file format).
        merged = folder / f"{n}-merged.json"
        merged.write_text(statefile.dump(statefile.items_of(j(a, b, c))), encoding="utf-8")
        assert _fields(merged) == j(a, b, c)
        sa, sb, sc = (str(p) for p in paths)
        plan += [[sa, sb], [sb, sa], [sa, sb, sc], [sc, sa, sb], [sa, sa]]
        expected += [{"items": _merged_json(j(a, b)), "report": _report(statefile.compare(a, b))},
                     {"items": _merged_json(j(b, a)), "report": _report(statefile.compare(b, a))},
                     {"items": _merged_json(j(a, b, c))}, {"items": _merged_json(j(c, a, b))},
                     {"items": _merged_json(a), "report": _report(statefile.compare(a, a))}]
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    published = folder / "schema.json"
    published.write_text(json.dumps(schema.state_json_schema(DEFAULT_SITE_URL)), encoding="utf-8")
    assert node("groups", str(published), NOW, str(plan_file)) == expected


@settings(max_examples=max(40, settings().max_examples // 2), deadline=None)
@given(state_files(), state_files())
def test_no_persons_value_is_lost_without_a_conflict_or_a_later_change(a_raw, b_raw) -> None:
    """Whatever the two files, a person's value the merge drops was either replaced by a change made over
    it (a plain later edit) or is reported as a conflict; defaults never replace a person's value."""
    a, b = _state(a_raw), _state(b_raw)
    report = statefile.compare(a, b)
    reported = {(f.id, f.field) for f in report.fields if f.kind == "conflict"}
    for item_id, fields in a.items():
        for name, mine in fields.items():
            kept = report.merged[item_id][name]
            if kept == mine or mine.weak:
                continue
            assert not kept.weak, "a default never replaces a person's value"
            assert kept.value == mine.value or kept.over(mine) or (item_id, name) in reported


# ---------------------------------------------------------------- a person's changes on the page


def test_page_edits_win_over_a_clock_that_runs_ahead_and_resolutions_settle(tmp_path: Path) -> None:
    script = tmp_path / "edits.js"
    script.write_text("""
const S = StateFile;
const bea = S.change(["done", ""], "2026-12-01T14:00:00Z", "Bea");          // Bea's clock is two hours fast
const ana = S.edit(bea, ["in-progress", ""], "2026-12-01T12:00:00Z", "Ana"); // Ana, later in real time
const mine = S.change(["Owners in the wiki"], "2026-12-01T10:00:00Z", "Ana");
const theirs = S.change(["Checked with the platform team"], "2026-12-01T10:00:05Z", "Bea");
const both = S.resolve(mine, theirs, "both", "2026-12-01T12:00:00Z", "Ana");
const keep = S.resolve(mine, theirs, "mine", "2026-12-01T12:00:00Z", "Ana");
const later = S.join(new Map([["x", { note: theirs }]]), new Map([["x", { note: keep }]])).get("x").note;
let chain = S.change(["0"], "2026-12-01T00:00:00Z", "Ana");
for (let n = 1; n <= 12; n += 1) chain = S.edit(chain, [String(n)], "2026-12-01T00:00:00Z", "Ana");
return { ana, beats: S.cmpChange(ana, bea) > 0, over: S.conflict(ana, bea), both: both.value, keep,
         later: later.value, conflictAfter: S.conflict(keep, theirs), chain };
""", encoding="utf-8")
    got = node("script", str(script))
    assert got["ana"]["at"] == "2026-12-01T14:00:01Z" and got["beats"], "a later edit wins even over a fast clock"
    assert got["ana"]["replaces"] == [["2026-12-01T14:00:00Z", "Bea"]] and not got["over"], "a plain later edit"
    assert got["both"] == ["Owners in the wiki\n\nChecked with the platform team"], "keep both: notes appended"
    assert got["keep"]["replaces"] == [["2026-12-01T10:00:00Z", "Ana"], ["2026-12-01T10:00:05Z", "Bea"]]
    assert got["later"] == ["Owners in the wiki"] and not got["conflictAfter"], "the choice settles on every machine"
    assert len(got["chain"]["replaces"]) == schema.MAX_REPLACES and got["chain"]["at"] == "2026-12-01T00:00:12Z"


# ---------------------------------------------------------------- fieldguide checklist merge


def test_cli_merge_of_three_files_is_the_same_in_every_order_and_names_each_field(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    t1, t2 = "2026-11-29T10:00:00Z", "2026-11-29T11:00:00Z"
    ana = {"at": t1, "by": "Ana"}
    a = _state_file(tmp_path / "ana.json", [{"id": "x-one", "status": "done", "owner": "Ana",
                                             "changed": {"status": ana, "owner": ana}}],
                    catalog_version="2026.11.29", exported=t1, scope=["model-learning"])
    b = _state_file(tmp_path / "raj.json", [{"id": "x-one", "status": "na", "reason": "n/a here",
                                             "changed": {"status": {"at": t1, "by": "Raj"}}}],
                    catalog_version="2026.12.05", exported=t2, scope=["data-management"])
    c = _state_file(tmp_path / "kim.json", [{"id": "x-two", "status": "in-progress",
                                             "changed": {"status": {"at": t2, "by": "Kim"}}}])
    outputs = set()
    for order in itertools.permutations((a, b, c)):
        outputs.add(cli("checklist", "merge", *order).stdout)
    assert len(outputs) == 1, "identical output in every file order"
    body = json.loads(outputs.pop())
    assert body["catalog_version"] == "2026.12.05" and body["exported"] == t2
    assert body["scope"] == ["data-management", "model-learning"]
    items = {i["id"]: i for i in body["items"]}
    assert items["x-one"]["status"] == "na" and items["x-one"]["owner"] == "Ana", "Raj's status, Ana's owner"
    result = cli("checklist", "merge", a, b, c)
    assert ("conflict: x-one: status: kept na: n/a here (Raj, 2026-11-29T10:00:00Z, raj.json) over done "
            "(Ana, 2026-11-29T10:00:00Z, ana.json)") in result.stderr
    assert "changed: x-two: status: (not set) -> in-progress (Kim, 2026-11-29T11:00:00Z, kim.json)" in result.stderr
    assert "merged 3 file(s): 2 item(s); relative to ana.json: 1 new, 0 changed, 1 conflict(s)" in result.stderr


def test_cli_merge_takes_catalog_orders_scope_by_stage_and_lists_orphans(valid_catalog: Path, tmp_path: Path) -> None:
    a = _state_file(tmp_path / "a.json", [{"id": "gone-check", "status": "done"}], scope=["model-deployment"])
    b = _state_file(tmp_path / "b.json", [], scope=["data-management"])
    result = cli("checklist", "merge", "--catalog", valid_catalog, a, b)
    assert json.loads(result.stdout)["scope"] == ["data-management", "model-deployment"], "workflow order"
    assert "no longer in the catalog" in result.stderr and "gone-check" in result.stderr
    missing = cli("checklist", "merge", "--catalog", tmp_path / "nowhere", a, b, code=2)
    assert "catalog folder" in missing.stderr


def test_cli_merge_refuses_an_invalid_file_and_writes_nothing(tmp_path: Path) -> None:
    good = _state_file(tmp_path / "good.json", [{"id": "x-one", "status": "done"}])
    bad = _state_file(tmp_path / "bad.json", [{"id": "x-one", "status": "na"}])
    out = tmp_path / "merged.json"
    result = cli("checklist", "merge", good, bad, "--out", out, code=1)
    assert "bad.json:1: checklist: items[0].reason:" in result.stderr
    assert not out.exists()
