"""A planted meta refresh, form, image, script URL or handler in any input of the build stops it,
naming the file it would have written and the input's `path:line: id: field`.

Each input class is planted in a small project that builds with the real configuration: catalog
prose, titles and summaries, frameworks, vocabulary.yaml, releases.yaml and the build cache. Where
`check` refuses the text at the source, the build stops there with the same message `check` prints;
with the source check switched off (as if it had a hole), the output check stops the build."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import small_project
from fieldguide import buildcache, escape, schema

REFRESH = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
FORM = '<form action="https://evil.example/login"><input type="password" name="p"></form>'
IMAGE = '<img src="https://evil.example/pixel.png">'
SCRIPT_URL = "[the note](javascript:alert(1))"
HANDLER = '<span onmouseover="alert(1)">hover</span>'


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build(project: Path, caplog: pytest.LogCaptureFixture) -> str:
    """Build, expecting a refusal; the log of the failed build."""
    site = project / "site"
    with caplog.at_level(logging.ERROR), pytest.raises(Exception):  # noqa: B017 - mkdocs aborts with its own type
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    return "\n".join(r.getMessage() for r in caplog.records)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return small_project(tmp_path, "Planted")


@pytest.fixture
def no_source_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if `check` had a hole: catalog prose is not inspected at the source."""
    monkeypatch.setattr(schema, "_safe_prose", lambda value: value)


# (file, old text, new text, where `check` and the build name it)
PLANTS = [
    ("challenges/data-discovery.yaml", "  Teams lose weeks looking for it.", f"  Teams lose weeks. {REFRESH}",
     "catalog/challenges/data-discovery.yaml:6: data-discovery: description"),
    ("case-studies/twitter-data-discovery.yaml", "title: Twitter", f"title: Twitter {FORM}",
     "catalog/case-studies/twitter-data-discovery.yaml:2: twitter-data-discovery: title"),
    ("mitigations/data-catalog-practice.yaml", "summary: A searchable", f"summary: {IMAGE} A searchable",
     "catalog/mitigations/data-catalog-practice.yaml:4: data-catalog-practice: summary"),
    ("challenges/feedback-loops.yaml", "summary: ", f"summary: {HANDLER} ",
     "catalog/challenges/feedback-loops.yaml:4: feedback-loops: summary"),
    ("frameworks/example-rubric.yaml", "summary: A made-up rubric", f"summary: >-\n  {SCRIPT_URL} A made-up rubric",
     "catalog/frameworks/example-rubric.yaml:9: example-rubric: summary"),
]
IDS = ["refresh-in-prose", "form-in-a-title", "image-in-a-summary", "handler-in-a-summary", "script-url-in-a-framework"]


@pytest.mark.parametrize(("file", "old", "new", "named"), PLANTS, ids=IDS)
def test_check_refuses_the_plant_naming_file_and_field(project: Path, caplog: pytest.LogCaptureFixture,
                                                       file: str, old: str, new: str, named: str) -> None:
    _edit(project / "catalog" / file, old, new)
    message = _build(project, caplog)
    assert "the catalog has 1 problem(s)" in message and named in message, message
    assert not (project / "site" / "index.html").exists(), "nothing is published"


@pytest.mark.parametrize(("file", "old", "new", "named"), PLANTS, ids=IDS)
def test_past_the_source_check_the_output_check_stops_the_build(project: Path, caplog: pytest.LogCaptureFixture,
                                                                no_source_check: None, file: str, old: str,
                                                                new: str, named: str) -> None:
    """The first file that carries the text stops the build: a page, or a JSON file (catalog.json,
    the search index) that holds it, before mkdocs writes anything of it."""
    _edit(project / "catalog" / file, old, new)
    message = _build(project, caplog)
    assert "unsafe output in " in message and "it comes from " in message, message
    assert named in message, message
    page = project / "site" / file.replace(".yaml", "") / "index.html"
    assert not page.exists() or "evil.example" not in page.read_text(encoding="utf-8")


def test_a_summary_that_closes_its_meta_attribute_is_escaped_and_past_that_stopped(
        project: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The issue's redirect: a summary ending the `content` of `<meta name="description">`. Escaped
    before the theme sees it, it is harmless text (the browser test shows the page stays); with
    the escaping switched off the build refuses to write the page."""
    summary = 'summary: \'0;url=https://evil.example/" http-equiv="refresh\''
    _edit(project / "catalog" / "challenges" / "data-discovery.yaml",
          "summary: Nobody knows which service holds which data.", summary)
    site = tmp_path / "site-escaped"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    head = (site / "challenges" / "data-discovery" / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    assert 'content="0;url=https://evil.example/&quot; http-equiv=&quot;refresh"' in head
    assert "http-equiv" not in head.replace("http-equiv=&quot;", "")
    monkeypatch.setattr(escape, "html_attribute", lambda text: str(text))
    _edit(project / "catalog" / "challenges" / "data-discovery.yaml", "Teams lose weeks", "Teams lose days")
    message = _build(project, caplog)
    assert "unsafe output in challenges/data-discovery.md" in message
    assert "<meta> attribute http-equiv = 'refresh'" in message and "escaped its attribute" in message
    assert "catalog/challenges/data-discovery.yaml:5: data-discovery: summary" in message, message


def test_vocabulary_text_follows_the_prose_rules(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    """vocabulary.yaml reaches catalog.json and the search index: its phrases and synonyms are
    held to the prose rules, at every depth."""
    (project / "catalog" / "vocabulary.yaml").write_text(
        f"synonyms:\n  - [deploy, '{IMAGE}']\nphrases:\n  data-discovery:\n    - where is the data\n"
        f"    - '{SCRIPT_URL}'\ncontexts:\n  data-discovery:\n    - '{IMAGE}'\n", encoding="utf-8")
    message = _build(project, caplog)
    assert "catalog/vocabulary.yaml:2: vocabulary: synonyms[0][1]: raw HTML is not allowed" in message, message
    assert "catalog/vocabulary.yaml:6: vocabulary: phrases.data-discovery[1]: link target 'javascript:alert(1)'" \
        in message, message
    assert "catalog/vocabulary.yaml:9: vocabulary: contexts.data-discovery[0]: raw HTML is not allowed" \
        in message, message


def test_vocabulary_past_the_source_check_is_stopped_in_the_json_it_reaches(
        project: Path, caplog: pytest.LogCaptureFixture, no_source_check: None) -> None:
    (project / "catalog" / "vocabulary.yaml").write_text(
        f"phrases:\n  data-discovery:\n    - where is the data\n    - '{IMAGE}'\n"
        f"contexts:\n  data-discovery:\n    - '{IMAGE}'\n", encoding="utf-8")
    message = _build(project, caplog)
    assert "unsafe output in downloads/catalog.json" in message and "holds an HTML element" in message, message
    assert "vocabulary.yaml:4: vocabulary: phrases.data-discovery[1]" in message, message
    assert "vocabulary.yaml:7: vocabulary: contexts.data-discovery[0]" in message, message


def _deployment(name: str, description: str) -> str:
    return (f"deployments:\n  - id: shop-ranking\n    name: '{name}'\n    description: '{description}'\n"
            "    bit: [feedback-loops]\n    split: dev\n    source:\n      title: A shop\n"
            "      url: https://example.org/shop\n      says: Its ranking fed on its own clicks.\n")


def test_deployment_text_follows_the_prose_rules(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    """deployments.yaml reaches the planner's data (a deployment's name is quoted in a reason on the
    page, in `plan`'s Markdown and in the brief): its text is held to the prose rules and its name to
    plain text, each reported with the deployment's line and field."""
    (project / "catalog" / "deployments.yaml").write_text(_deployment(IMAGE, SCRIPT_URL), encoding="utf-8")
    message = _build(project, caplog)
    assert "catalog/deployments.yaml:3: shop-ranking: name: must be one line of plain text" in message, message
    assert "catalog/deployments.yaml:4: shop-ranking: description: link target 'javascript:alert(1)'" \
        in message, message
    (project / "catalog" / "deployments.yaml").write_text(_deployment("Shop", IMAGE), encoding="utf-8")
    message = _build(project, caplog)
    assert "catalog/deployments.yaml:4: shop-ranking: description: raw HTML is not allowed" in message, message


@pytest.mark.parametrize(("text", "named"), [
    ('releases:\n  - version: "<form action=https://evil.example/><input type=password></form>"\n'
     '    date: "2026-01-01"\n    commit: ' + "a" * 40 + "\n",
     "releases.yaml:2: releases: releases[0].version: string should have at most 40 characters"),
    ('releases:\n  - version: "<b>1</b>"\n    date: "2026-01-01"\n    commit: ' + "a" * 40 + "\n",
     "releases.yaml:2: releases: releases[0].version: must be a version such as \"2026.11.29\""),
    ('releases:\n  - version: "2026.01.01"\n    date: "2026-01-01"\n    commit: "../../outside@{1}"\n',
     "releases.yaml:4: releases: releases[0].commit: must be the full 40-character commit id"),
    ("releases:\n  - &a {version: '1.0', date: '2026-01-01', commit: " + "a" * 40 + "}\n  - *a\n",
     "releases.yaml:2: releases: releases[1]: anchors and aliases are not allowed"),
    ("releases: [unclosed\n", "releases.yaml:2: releases: -: YAML does not parse"),
    ("releases:\n  - version: 2026.01\n    date: 2026-01-01\n    commit: " + "a" * 40 + "\n",
     "releases.yaml:2: releases: releases[0].version: must be text"),
])
def test_a_bad_releases_file_stops_the_build_naming_file_and_field(project: Path, caplog: pytest.LogCaptureFixture,
                                                                  text: str, named: str) -> None:
    """releases.yaml is read like a catalog file (safe loader, size cap, line numbers) and validated:
    HTML in a version, a commit that names a path, an alias bomb, broken YAML: a clear line each."""
    (project / "releases.yaml").write_text(text, encoding="utf-8")
    message = _build(project, caplog)
    assert named in message, message
    assert "Traceback" not in message
    assert not any(p.name.startswith("snapshot-") for p in project.rglob("*")), "nothing written for the commit"


def _planted_cache(project: Path, files: dict[str, str]) -> None:
    """A build cache with the right key for this project on this machine, as if someone with write
    access to the cache folder had planted it."""
    folder = buildcache.cache_dir(project)
    key = buildcache.key(project, "http://127.0.0.1:8000/", folder)
    buildcache.save(folder, key, files)


def test_a_planted_cache_hit_is_checked_like_a_fresh_render(project: Path, caplog: pytest.LogCaptureFixture,
                                                            tmp_path: Path) -> None:
    """A hit is not trusted: the planner's data with a script URL stops the build, and the message
    says the text is in no input file."""
    site = tmp_path / "first"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    folder = buildcache.cache_dir(project)
    files = json.loads((folder / buildcache.FILE).read_text(encoding="utf-8"))["files"]
    parts = json.loads(files["planner/data.json"])["parts"]["challenges"]  # split into chunks (pagedata)
    name = parts["files"][parts["at"]["data-discovery"]]
    data = json.loads(files[name])
    data["data-discovery"]["url"] = "javascript:alert(document.cookie)"
    _planted_cache(project, {**files, name: json.dumps(data)})
    message = _build(project, caplog)
    assert f"unsafe output in {name}" in message
    assert "data-discovery.url: 'javascript:alert(document.cookie)' is not a safe address" in message
    assert "it is in no catalog file: from the build cache" in message


def test_a_planted_cached_page_with_a_refresh_is_stopped(project: Path, caplog: pytest.LogCaptureFixture,
                                                         tmp_path: Path) -> None:
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "first")))
    folder = buildcache.cache_dir(project)
    files = json.loads((folder / buildcache.FILE).read_text(encoding="utf-8"))["files"]
    page = files["challenges/data-discovery.md"].replace("## Warning signs", f"{REFRESH}\n\n## Warning signs")
    _planted_cache(project, {**files, "challenges/data-discovery.md": page})
    message = _build(project, caplog)
    assert "unsafe output in challenges/data-discovery.md" in message
    assert "<meta> attribute http-equiv = 'refresh'" in message


@pytest.mark.parametrize("where", ["committed", "copied"])
def test_a_cache_file_from_the_checkout_or_another_machine_is_never_used(project: Path, tmp_path: Path,
                                                                        where: str) -> None:
    """The issue's `git add -f`: a cache file in the checkout is not even looked at; one copied into
    the cache folder from another machine (its key made with another secret) never matches."""
    site = tmp_path / "first"
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    folder = buildcache.cache_dir(project)
    files = json.loads((folder / buildcache.FILE).read_text(encoding="utf-8"))["files"]
    marker = "Planted by the cache"
    planted = {**files, "challenges/data-discovery.md": files["challenges/data-discovery.md"].replace(
        "# Data discovery", f"# {marker}")}
    if where == "committed":
        for old in (project / ".cache" / "fieldguide", project / ".cache"):
            old.mkdir(parents=True, exist_ok=True)
            key = buildcache.inputs(project, "http://127.0.0.1:8000/")  # the old key: public inputs only
            (old / buildcache.FILE).write_text(json.dumps({"key": key, "files": planted}), encoding="utf-8")
        (folder / buildcache.FILE).unlink()
    else:
        other = buildcache.inputs(project, "http://127.0.0.1:8000/")
        (folder / buildcache.FILE).write_text(json.dumps({"key": other, "files": planted}), encoding="utf-8")
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "second")))
    page = (tmp_path / "second" / "challenges" / "data-discovery" / "index.html").read_text(encoding="utf-8")
    assert marker not in page and "Data discovery" in page


def test_no_cache_is_kept_inside_the_checkout(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when told to (FIELDGUIDE_CACHE_DIR inside the project), the build keeps no cache there."""
    monkeypatch.setenv("FIELDGUIDE_CACHE_DIR", str(project / ".cache"))
    assert buildcache.cache_dir(project) is None
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert not (project / ".cache").exists()


def test_a_data_file_is_checked_again_unless_this_machine_saw_exactly_it_pass(project: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Output-check verdicts are kept by digest with the build cache (at 30× the catalog the data files
    are megabytes each): an unchanged file is not parsed again, but a verdict file from another machine
    (or one with a forged tag) is ignored and every file is checked."""
    from fieldguide import postbuild, site

    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "first")))
    checked: list[str] = []
    real = site.check_generated
    monkeypatch.setattr(site, "check_generated", lambda path, *rest: (checked.append(path), real(path, *rest))[1])
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "second")))
    assert checked == [], "nothing changed: no data file checked again"
    verdicts = buildcache.cache_dir(project) / postbuild.Verdicts.FILE
    data = json.loads(verdicts.read_text(encoding="utf-8"))
    verdicts.write_text(json.dumps({**data, "tag": "0" * 64}), encoding="utf-8")
    build(load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "third")))
    assert {"planner/data.json", "citations/data.json", "search/index.json"} <= set(checked)
