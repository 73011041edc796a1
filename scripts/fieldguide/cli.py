"""`fieldguide`: check, export, schema, related, show, render, site, postbuild, diff and more, over `--catalog DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import DEFAULT_SITE_URL, __version__, controls, graph, load

if TYPE_CHECKING:
    from .catalog import Catalog
    from .checklist import State
    from .problems import Problem

# Commands import what they need themselves: `fieldguide check` must start fast.

catalog_option = click.option("--catalog", "catalog_dir", default="catalog", show_default=True,
                              type=click.Path(file_okay=False, path_type=Path), help="Catalog folder.")


def _load(catalog_dir: Path, code: int = 1) -> tuple[Catalog, object]:
    """Load and check, or print every problem and exit `code` (never a traceback)."""
    try:
        cat = load.load(catalog_dir)
    except load.CatalogError as exc:
        _fail(exc.problems, code)
    return cat, graph.build(cat)


def _say(text: str, err: bool = False) -> None:
    """One line for the terminal: catalog text and paths never reach it with raw control characters."""
    click.echo(controls.visible(text), err=err)


def _fail(problems: list[Problem], code: int = 1) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    files = len({p.path for p in problems})
    click.echo(f"{len(problems)} problem(s) in {files} file(s)", err=True)
    sys.exit(code)


def _errors(lines) -> None:
    """Stop with exit 1 after one `error:` line per finding (findings of the output check, a site folder)."""
    for line in lines:
        _say(f"error: {line}", err=True)
    sys.exit(1)


@click.group()
@click.version_option(__version__, prog_name="fieldguide")
def main() -> None:
    """The ML Deployment Field Guide's catalog tool."""


@main.command()
@catalog_option
def check(catalog_dir: Path) -> None:
    """Validate the catalog: schema, links and graph integrity, and the release list beside the catalog
    folder (releases.yaml). Exit 1 on any problem."""
    from .kinds import FILED
    from .pipeline import check as check_catalog
    from .release import read_releases

    cat, problems = check_catalog(catalog_dir)
    problems += read_releases(catalog_dir.parent)[1]
    if problems:
        _fail(problems)
    counts = [f"{len(cat.stages)} stages", f"{len(cat.steps)} steps"]
    for kind in FILED:
        if kind.id != "framework":
            counts.append(f"{len(cat.pool(kind.id))} {kind.plural.lower()}")
        elif cat.frameworks:
            counts.append(f"{len(cat.frameworks)} frameworks ({len(cat.framework_items)} items)")
    if cat.deployments:
        counts.append(f"{len(cat.deployments)} deployments")
    click.echo("catalog OK: " + ", ".join(counts))
    from .ledger import doi_share_line

    click.echo(doi_share_line(cat))


@main.command("export")
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["json", "bibtex", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export_cmd(catalog_dir: Path, fmt: str, out: Path | None) -> None:
    """Export the catalog as JSON (interchange format), BibTeX or CSV."""
    from . import export
    cat, g = _load(catalog_dir)
    _write(export.text(cat, g, fmt), out)


@main.command("schema")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write one <type>.schema.json per file type into this folder.")
@click.option("--site-url", default=DEFAULT_SITE_URL, show_default=True,
              help="Public address of the site: each schema's $id is <site-url>/downloads/schema/<file>.")
def schema_cmd(out: Path | None, site_url: str) -> None:
    """Print the JSON Schema of every catalog file type (for editor completion)."""
    from . import schema
    schemas = schema.json_schemas(site_url)
    if out is None:
        click.echo(json.dumps(schemas, indent=2))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, body in schema.json_schema_files(site_url).items():
        (out / name).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    _say(f"wrote {len(schemas)} schemas to {out}")


@main.command("related")
@catalog_option
@click.argument("challenge_id")
def related_cmd(catalog_dir: Path, challenge_id: str) -> None:
    """Challenges related to CHALLENGE_ID, strongest first, with the reason."""
    cat, g = _load(catalog_dir)
    if challenge_id not in cat.challenges:
        _unknown(challenge_id, list(cat.challenges), "challenge")
    for r in graph.related(g, challenge_id):
        _say(f"{r.score:3d}  {r.id}: {' '.join(r.reasons)}")


@main.command("show")
@catalog_option
@click.argument("entity_id")
def show_cmd(catalog_dir: Path, entity_id: str) -> None:
    """Show any entity as YAML-like text, with what links to it."""
    cat, g = _load(catalog_dir)
    if entity_id not in g:
        _unknown(entity_id, list(g.nodes), "id")
    node = g.nodes[entity_id]
    path, line = cat.where(entity_id)
    _say(f"{node['kind']} {entity_id}: {node['title']}  ({path}:{line})")
    for edge, targets in sorted(_outgoing(g, entity_id).items()):
        _say(f"  {edge} -> {', '.join(targets)}")
    for edge, sources in sorted(graph.backlinks(g, entity_id).items()):
        _say(f"  {edge} <- {', '.join(sources)}")
    if node["kind"] == "challenge":
        ev = graph.evidence(g, entity_id)
        studies = "case study" if ev.case_studies == 1 else "case studies"
        industries = "industry" if ev.industries == 1 else "industries"
        _say(f"  evidence: {ev.level} ({ev.case_studies} {studies}, {ev.industries} {industries})")


def _outgoing(g, node: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for _, v, k in sorted(g.out_edges(node, keys=True)):
        out.setdefault(k, []).append(v)
    return out


@main.command("render")
@catalog_option
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the generated Markdown pages into.")
@click.option("--site-url", default=lambda: _site_url(), show_default="$SITE_URL or " + DEFAULT_SITE_URL,
              help="Public address of the site, used in page citations.")
def render_cmd(catalog_dir: Path, out: Path, site_url: str) -> None:
    """Write the generated pages (the same Markdown the mkdocs hook serves) to a folder."""
    from . import pipeline, release
    root = release.git_root(catalog_dir.resolve().parent) or catalog_dir.resolve().parent
    try:
        files = pipeline.generate(root, catalog_dir, site_url)
    except load.CatalogError as exc:
        _fail(exc.problems)
    except release.ReleaseError as exc:
        _fail(exc.problems)
    except release.DiffError as exc:
        _say(f"error: {exc}", err=True)
        sys.exit(1)
    # The files another site builder will serve as they are (JSON, BibTeX): checked as the hook checks them.
    problems = pipeline.verify(files, site_url)
    if problems:
        _errors(problems)
    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _say(f"wrote {len(files)} files to {out}")


project_option = click.option("--project", "project_dir", default=".", show_default=True,
                               type=click.Path(file_okay=False, exists=True, path_type=Path),
                               help="Project folder: catalog/, content/, releases.yaml, node_modules/.")


@main.command("site")
@project_option
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (new, empty, or written by this command before: it is replaced).")
@click.option("--site-url", default=lambda: _site_url(), show_default="$SITE_URL or " + DEFAULT_SITE_URL,
              help="Public address of the site (must match the builder's site_url).")
def site_cmd(project_dir: Path, out: Path, site_url: str) -> None:
    """Write content/ plus every generated page and asset into one folder, for any builder that reads
    mkdocs.yml with `docs_dir` pointed at it (then run `fieldguide postbuild` on what it built)."""
    from . import buildcache, publish, site

    try:
        publish.check_site_url(site_url)
        pages = site.write(project_dir, out, site_url, buildcache.cache_dir(project_dir))
    except (site.SiteError, publish.PublishError) as exc:
        _errors(getattr(exc, "problems", [str(exc)]))
    _say(f"wrote the site folder {out} ({len(pages)} pages)")


@main.command("postbuild")
@click.argument("site_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--docs", required=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The folder `fieldguide site --out` wrote, which the builder read.")
@click.option("--builder", type=click.Choice(["mkdocs", "zensical"]), default="zensical", show_default=True,
              help="The builder that wrote SITE_DIR (its theme's inline scripts are allowed).")
@project_option
def postbuild_cmd(site_dir: Path, docs: Path, builder: str, project_dir: Path) -> None:
    """Robots/noindex for retired pages, sitemap pruning and the output check on a built site: exit 1
    with each finding (path and reason) when anything in it is unsafe."""
    from . import postbuild, site

    try:
        problems = postbuild.run(site_dir, docs, builder, project_dir)
    except site.SiteError as exc:
        problems = exc.problems
    if problems:
        _errors(problems)
    _say(f"checked {site_dir}: nothing unsafe")


def _site_url() -> str:
    from .publish import site_url
    return site_url()


site_url_option = click.option("--site-url", default=lambda: _site_url(),
                               show_default="$SITE_URL or " + DEFAULT_SITE_URL,
                               help="Public address of the site, for links in the output.")
FORMATS = click.Choice(["md", "csv", "json"])


def _state(path: Path | None, cat: Catalog, code: int = 1) -> State:
    from . import checklist
    if path is None:
        return checklist.State()
    state, problems = checklist.read_state(path, cat)
    if problems:
        _fail(problems, code)
    for warning in state.warnings:
        _say(f"warning: {path}: {warning}", err=True)
    if state.orphans:
        _say(f"note: {len(state.orphans)} item(s) in {path} are no longer in the catalog; kept as orphans: "
             + ", ".join(o.id for o in state.orphans), err=True)
    return state


def _stages(cat: Catalog, stages: tuple[str, ...], code: int = 1) -> list[str]:
    known = [s.id for s in cat.stages]
    for stage in stages:
        if stage not in known:
            _unknown(stage, known, "stage", code)
    return list(stages)


def _profile(path: Path, cat: Catalog):
    profile, problems = load.load_profile(path, cat)
    if problems:
        _fail(problems)
    return profile


@main.group("checklist", invoke_without_command=True)
@catalog_option
@click.option("--stage", "stages", multiple=True, help="Stage id to include (repeatable; default all).")
@click.option("--format", "fmt", type=FORMATS, default="md", show_default=True)
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Checklist state file exported from the site: fills in status, owner, note and evidence.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--full", is_flag=True,
              help="Markdown: every item in the open, with precedents and framework notes (default: compact, "
                   "open and in-progress items first, the rest folded in <details>).")
@site_url_option
@click.pass_context
def checklist_cmd(ctx: click.Context, catalog_dir: Path, stages: tuple[str, ...], fmt: str,
                  state_path: Path | None, out: Path | None, full: bool, site_url: str) -> None:
    """The stage checklists as Markdown (fit for a pull-request comment: the readiness table, then what is
    still open), CSV or a state file.

    `fieldguide checklist merge A.json B.json --out M.json` merges state files."""
    if ctx.invoked_subcommand:
        return
    from . import checklist
    cat, g = _load(catalog_dir)
    scope = _stages(cat, stages)
    picked = checklist.rows(cat, scope)
    titles = {s.id: s.title for s in cat.stages}
    title = "Deployment checklist: " + (", ".join(titles[s] for s in scope) if scope else "all stages")
    _write(_checklist_text(cat, g, picked, _state(state_path, cat), fmt, site_url, title, compact=not full), out)


@checklist_cmd.command("merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--catalog", "catalog_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Catalog folder (optional here): orders the scope by stage and names items it no longer has.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.pass_context
def merge_cmd(ctx: click.Context, files: tuple[Path, ...], catalog_dir: Path | None, out: Path | None) -> None:
    """Merge checklist state files field by field, as the site's import does: per field (status with its
    reason, owner, note, evidence) the later change wins, a person's value wins over a default the guide
    set, and ties are settled the same way everywhere, so the result is the same in any file order.
    Lists on stderr every field that differs from the first file (changed) and every person's value the
    merge drops because someone else changed the same field without having seen it (conflict).
    Exits 0 when the files are valid, 1 when one is not (nothing written), 2 for a missing catalog."""
    from . import statefile
    from .schema import FIELDS
    parent = ctx.parent
    if catalog_dir is None and parent is not None and \
            parent.get_parameter_source("catalog_dir") == click.core.ParameterSource.COMMANDLINE:
        catalog_dir = parent.params["catalog_dir"]
    cat = _load(catalog_dir, code=2)[0] if catalog_dir is not None else None
    parsed, problems = [], []
    for path in files:
        state, found = statefile.read(path)
        problems += found
        parsed.append(state)
    if problems:
        _fail(problems)
    for state in parsed:
        for warning in state.warnings:
            _say(f"warning: {state.path}: {warning}", err=True)
    states = [statefile.state_of(state.items) for state in parsed]
    merged = statefile.join(*states)
    names = [state.path for state in parsed]

    def stamp(change: statefile.Change, item_id: str, name: str) -> str:
        origin = next(names[n] for n, s in enumerate(states) if s.get(item_id, {}).get(name) == change)
        by = f"{change.by}, " if change.by else ""
        weak = ", default" if change.weak else ""
        return f"{_value_text(change)} ({by}{change.at or 'time unknown'}{weak}, {origin})"

    first = states[0]
    kinds: dict[str, str] = {}
    for item_id in sorted(merged):
        for name in FIELDS:
            kept, mine = merged[item_id].get(name), first.get(item_id, {}).get(name)
            if kept is None or kept == mine or (mine is not None and mine.value == kept.value) \
                    or statefile.conflict(kept, mine):
                continue
            was = _value_text(mine) if mine is not None else "(not set)"
            _say(f"changed: {item_id}: {name}: {was} -> {stamp(kept, item_id, name)}", err=True)
            kinds.setdefault(item_id, "new" if not first.get(item_id) else "changed")
    for item_id, name, _, lost in statefile.losers(states, merged):
        kept = stamp(merged[item_id][name], item_id, name)
        _say(f"conflict: {item_id}: {name}: kept {kept} over {stamp(lost, item_id, name)}", err=True)
        kinds[item_id] = "conflict"
    scope = sorted({stage for state in parsed for stage in state.scope})
    if cat is not None:
        order = {s.id: n for n, s in enumerate(cat.stages)}
        scope.sort(key=lambda stage: (order.get(stage, len(order)), stage))
        known = {i.id for c in cat.challenges.values() for i in c.checklist}
        orphans = [i for i in sorted(merged) if i not in known]
        if orphans:
            _say(f"note: {len(orphans)} item(s) are no longer in the catalog; kept as orphans: {', '.join(orphans)}",
                 err=True)
    counts = {kind: sum(1 for k in kinds.values() if k == kind) for kind in ("new", "changed", "conflict")}
    _say(f"merged {len(files)} file(s): {len(merged)} item(s); relative to {names[0]}: {counts['new']} new, "
         f"{counts['changed']} changed, {counts['conflict']} conflict(s)", err=True)
    latest = max((s.exported for s in parsed if s.exported), default=None)
    version = max((s.catalog_version for s in parsed if s.catalog_version), default=None)
    _write(statefile.dump(statefile.items_of(merged), scope=scope, exported=latest, catalog_version=version,
                          stamp=False), out)


def _value_text(change) -> str:
    """A field's value on one line for stderr: a status with its reason, other text quoted and cut short."""
    if len(change.value) == 2:
        status, reason = change.value
        return f"{status}: {_short(reason)}" if reason else status
    return repr(_short(change.value[0])) if change.value[0] else "(empty)"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


@main.command("gate")
@catalog_option
@click.option("--state", "state_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The team's checklist state file (for example planning/checklist.json).")
@click.option("--stage", "stages", multiple=True, help="Stage id that must be ready (repeatable; default all).")
@click.option("--min-readiness", default=1.0, show_default=True, type=click.FloatRange(0, 1),
              help="Readiness each chosen stage needs: resolved (done or accepted risk) ÷ applicable items.")
def gate_cmd(catalog_dir: Path, state_path: Path, stages: tuple[str, ...], min_readiness: float) -> None:
    """A deployment gate for CI: exit 0 when the chosen stages are ready, 1 listing the open items, 2 when
    it cannot decide (usage errors, a missing or invalid catalog, an unreadable or invalid state file)."""
    from . import checklist
    cat, _ = _load(catalog_dir, code=2)
    picked = checklist.rows(cat, _stages(cat, stages, code=2))
    ready, lines = checklist.gate(cat, picked, _state(state_path, cat, code=2), min_readiness)
    click.echo("\n".join(lines))
    sys.exit(0 if ready else 1)


def _checklist_text(cat, g, picked, state, fmt: str, site_url: str, title: str, ranked: bool = False,
                    compact: bool = False) -> str:
    from . import checklist
    if fmt == "md":
        return checklist.to_markdown(cat, g, picked, state, site_url, title, ranked=ranked, compact=compact)
    if fmt == "csv":
        return checklist.to_csv(cat, g, picked, state)
    return checklist.to_json(cat, picked, state)


@main.command("plan")
@catalog_option
@click.option("--profile", "profile_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Project profile YAML: industry, traits, stages.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "csv", "json"]), default="text", show_default=True)
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Checklist JSON exported from the site.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--suggest", is_flag=True,
              help="Instead of the plan: the industry and traits the profile's description implies that it does "
                   "not yet choose, each with the words that triggered it (text or json). Nothing is added to the "
                   "profile: copy the ones that fit into its `industry` and `traits`.")
@site_url_option
def plan_cmd(catalog_dir: Path, profile_path: Path, fmt: str, state_path: Path | None, out: Path | None,
             suggest: bool, site_url: str) -> None:
    """Challenges ranked for a project profile (the planner page's ranking), and their checklist.

    Text lists each challenge with the reasons for its place; the score behind the order (a unitless sum
    of the description's match, the similar deployments it bit, the ticked traits, the industry and the
    case studies: the planner page's introduction gives the weights) is not printed."""
    from . import checklist, plan, search
    cat, g = _load(catalog_dir)
    profile = _profile(profile_path, cat)
    if suggest:
        if fmt not in ("text", "json"):
            raise click.UsageError("--suggest writes text or json, not " + fmt)
        found = plan.suggest(cat, search.index_for(cat, g), profile)
        if fmt == "json":
            _write(json.dumps([{"kind": x.kind, "id": x.id, "title": x.title, "words": x.words, "score": x.score}
                               for x in found], indent=2, ensure_ascii=False) + "\n", out)
        elif not found:
            _write("no suggestions: the description implies no industry or trait the profile does not already "
                   "choose\n", out)
        else:
            _write("".join(controls.visible(f"{x.kind} {x.id} ({x.title}): "
                                            + ", ".join(f"“{w}”" for w in x.words)) + "\n" for x in found), out)
        return
    ranked = plan.rank(cat, g, profile)
    if fmt == "text":
        # No score column: its unitless sum says less than the order and the reasons (issue 21).
        lines = [controls.visible(f"{i:2d}. {r.id}: {'; '.join(r.reasons(cat))}")
                 for i, r in enumerate(ranked, 1)]
        _write("\n".join(lines) + "\n", out)
        return
    order = [r.id for r in ranked]
    picked = sorted(checklist.rows(cat, challenges=order), key=lambda row: order.index(row.challenge))
    title = f"Deployment plan: {profile.name or profile_path.stem}"
    _write(_checklist_text(cat, g, picked, _state(state_path, cat), fmt, site_url, title, ranked=True), out)


def _search_types() -> list[str]:
    from .kinds import SEARCHED  # the table of kinds, not the engine: `fieldguide --help` stays fast

    return [k.search for k in SEARCHED if k.search]


@main.command("search")
@catalog_option
@click.argument("query", nargs=-1, required=True)
@click.option("--type", "types", multiple=True, type=click.Choice(_search_types()),
              help="Only this kind of result (repeatable; default all, challenges first).")
@click.option("--limit", type=click.IntRange(1, 1000), help="Results per kind (default: as many as the site shows).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def search_cmd(catalog_dir: Path, query: tuple[str, ...], types: tuple[str, ...], limit: int | None, fmt: str) -> None:
    """Find the challenges, case studies, mitigations and references that answer QUERY (the site's ranking).

    A case study, mitigation or reference that QUERY names (`Booking.com`, `MLflow`, a paper's title), or
    that scores far above every challenge, is listed first as the top hit (`"top": true` in JSON)."""
    from . import search
    cat, g = _load(catalog_dir)
    index = search.index_for(cat, g)
    text = " ".join(query)
    hits = search.run(index, text, prefix=False, types=types or search.TYPES)  # submitted: no word is half-typed
    # A case study, mitigation or reference the question names leads, as on the page (not within one --type).
    top, hits = search.listing(index, text, hits, {t: limit for t in search.TYPES} if limit else None,
                               top=not types or "challenge" in types)
    if fmt == "json":
        click.echo(json.dumps([{"id": h.id, "type": h.type, "title": h.title, "score": h.score, "top": h is top}
                               for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("no results; try other words, or browse the challenges with `fieldguide show ID`", err=True)
        sys.exit(1)
    current = None
    for h in hits:
        heading = "Top hit" if h is top else search.HEADINGS[h.type]
        if heading != current:
            click.echo(("" if current is None else "\n") + heading)
            current = heading
        meta = index.docs[h.doc][3]
        click.echo(f"  {h.score:6.2f}  {h.id}: {h.title}" + (f" ({meta})" if meta else ""))


@main.command("brief")
@catalog_option
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Project profile YAML: the brief covers its top-ranked challenges.")
@click.option("--challenge", "challenge_ids", multiple=True, help="Challenge id to include (repeatable).")
@click.option("--case-study", "case_study_ids", multiple=True,
              help="Case study id to present after the challenges, with its sources (repeatable).")
@click.option("--mitigation", "mitigation_ids", multiple=True,
              help="Mitigation id to present after the case studies, with its sources (repeatable).")
@click.option("--top", default=5, show_default=True, help="With --profile: how many challenges.")
@click.option("--project", help="Project name for the title (default: the profile's `name`).")
@click.option("--date", "brief_date", help="Date in the metadata block, YYYY-MM-DD (default: today).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Markdown file (default stdout).")
@click.option("--bib", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the BibTeX of every cited source here (default: next to --out).")
@click.option("--with-preprint", is_flag=True, help="Also cite the survey's 2020 arXiv text, which the catalog "
              "follows, beside its peer-reviewed version (ACM Computing Surveys 2022, the one cited by default).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Checklist JSON exported from the site (any version): each item shows its status, "
              "reason, owner, note and evidence; only done items are ticked.")
@click.option("--csl", "csl_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSL style file for citations and references (default: pandoc's built-in Chicago "
              "author-date); named in the brief's metadata, so pandoc uses it without further options.")
@site_url_option
def brief_cmd(catalog_dir: Path, profile_path: Path | None, challenge_ids: tuple[str, ...],
              case_study_ids: tuple[str, ...], mitigation_ids: tuple[str, ...], top: int,
              project: str | None, brief_date: str | None, out: Path | None, bib: Path | None,
              with_preprint: bool, state_path: Path | None, csl_path: Path | None, site_url: str) -> None:
    """A pandoc-ready design-review brief: challenges, checklists, precedents, mitigations, sources.

    \b
    The brief is a document to hand in as it is: third person, no tool instructions inside.
    Render it beside its brief.bib with pandoc's citeproc, which formats every citation and the
    References section in one style:
      pandoc --citeproc brief.md -o brief.docx     (or -o brief.html, brief.pdf)
    """
    import datetime

    from . import brief, plan
    try:
        day = datetime.date.fromisoformat(brief_date) if brief_date else datetime.date.today()
    except ValueError:
        click.echo(f"error: --date: '{brief_date}' is not a date such as 2026-11-29", err=True)
        sys.exit(1)
    cat, g = _load(catalog_dir)
    for ids, pool, what in ((challenge_ids, cat.challenges, "challenge"), (case_study_ids, cat.case_studies,
                             "case study"), (mitigation_ids, cat.mitigations, "mitigation")):
        for eid in ids:
            if eid not in pool:
                _unknown(eid, list(pool), what)
    ranked = None
    profile_text = ""
    name = project or ""
    if profile_path:
        profile = _profile(profile_path, cat)
        name = project or profile.name or ""
        ranked = plan.rank(cat, g, profile)
        profile_text = ", ".join(filter(None, [profile.industry and cat.industries[profile.industry].title]
                                        + [cat.traits[t].title.lower() for t in profile.traits])) or "general"
    if not (challenge_ids or ranked or case_study_ids or mitigation_ids):
        click.echo("error: give --profile FILE or at least one --challenge, --case-study or --mitigation ID",
                   err=True)
        sys.exit(1)
    ids = list(challenge_ids) or [r.id for r in (ranked or [])[:top]]
    csl = _csl(csl_path, out) if csl_path else ""
    state = _state(state_path, cat) if state_path else None
    bib = bib or (out.with_suffix(".bib") if out else None)
    markdown, bibtex = brief.brief(cat, g, ids, site_url, ranked=ranked, profile_text=profile_text,
                                   project=" ".join(name.split()), date=day.isoformat(), with_preprint=with_preprint,
                                   csl=csl, bibliography=_beside(bib, out) if bib else brief.BIB, state=state,
                                   case_study_ids=list(dict.fromkeys(case_study_ids)),
                                   mitigation_ids=list(dict.fromkeys(mitigation_ids)))
    _write(markdown, out)
    if bib:
        _write(bibtex, bib)
    # How to render it is said here, never inside the document.
    name_md = out.name if out else "brief.md"
    _say(f"render: pandoc --citeproc {name_md} -o {Path(name_md).with_suffix('.docx')} (in the brief's folder; "
         + (f"style {csl_path.name}" if csl_path else "Chicago author-date; --csl FILE for another style") + ")",
         err=True)


def _beside(path: Path, out: Path | None) -> str:
    """A path as the brief's metadata names it: relative to the brief's folder, where pandoc runs."""
    import os

    base = (out.parent if out else Path.cwd()).resolve()
    return Path(os.path.relpath(path.resolve(), base)).as_posix()


def _csl(path: Path, out: Path | None) -> str:
    """The style's path for the metadata block. A file that is not a CSL style is refused here, not by
    pandoc later; it is read under the file rules of every input (a regular file, size cap), and a
    document type (where XML entities would be declared) is refused: no CSL style has one."""
    import xml.etree.ElementTree as ET

    from .files import Unreadable, read_bytes
    from .load import MAX_FILE_BYTES

    try:
        data = read_bytes(path, MAX_FILE_BYTES)
    except Unreadable as exc:
        _say(f"error: --csl: {path}: cannot read it ({exc})", err=True)
        sys.exit(1)
    if b"<!DOCTYPE" in data.upper():
        _say(f"error: --csl: {path}: not a CSL style: it declares a document type", err=True)
        sys.exit(1)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        _say(f"error: --csl: {path}:{exc.position[0]}: not a CSL style: the XML is not well formed", err=True)
        sys.exit(1)
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        _say(f"error: --csl: {path}: not a CSL style: its root element is not a CSL <style>", err=True)
        sys.exit(1)
    return _beside(path, out)


@main.command("coverage")
@catalog_option
@click.option("--framework", "framework_id", required=True, help="Framework id, e.g. ml-test-score or deon.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Checklist JSON exported from the site: adds what the team has done.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True,
              help="md: the grading table (each item's asks and the checks meeting them), for a review.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def coverage_cmd(catalog_dir: Path, framework_id: str, state_path: Path | None, fmt: str, out: Path | None) -> None:
    """How the guide's checks cover a framework's items (the framework pages' table), and with
    --state which items a team's checklist satisfies ("ML Test Score: 24/28 done")."""
    from . import coverage
    cat, g = _load(catalog_dir)
    if framework_id not in cat.frameworks:
        _unknown(framework_id, list(cat.frameworks), "framework")
    statuses = _state(state_path, cat).statuses if state_path else None
    items = coverage.framework_coverage(cat, g, framework_id)
    if fmt == "json":
        text = json.dumps(coverage.to_json(items, statuses), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "md":
        text = coverage.to_markdown(cat, framework_id, items)
    else:
        text = coverage.to_text(cat, framework_id, items, statuses)
    _write(text, out)


@main.command("ledger")
@catalog_option
@click.option("--since", "since", metavar="GIT_REF", help="Only entities whose file changed since this git ref "
              "(committed or not), or is new.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def ledger_cmd(catalog_dir: Path, since: str | None, fmt: str, out: Path | None) -> None:
    """Every sentence stating a number, date, organisation or licence, with the references it rests on."""
    from . import ledger

    cat, _ = _load(catalog_dir)
    only = None
    if since is not None:
        try:
            only = ledger.changed_entities(cat, catalog_dir, since)
        except ledger.SinceError as exc:
            _say(f"error: --since: {exc}", err=True)
            sys.exit(1)
    found = ledger.rows(cat, only)
    text = ledger.to_csv(found) if fmt == "csv" else ledger.to_text(found, ledger.doi_share_line(cat))
    _write(text, out)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--catalog-path", default="catalog", show_default=True,
              help="Where the catalog folder is inside the repository (for git refs).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def diff_cmd(old: str, new: str, fmt: str, catalog_path: str, out: Path | None) -> None:
    """Entities added, changed (which fields) and removed between OLD and NEW.

    Each is a catalog folder or a git ref of the repository you are in (HEAD~3, a tag, a commit)."""
    from . import release
    repo = release.git_root(Path.cwd()) or Path.cwd()
    try:
        result = release.compare(old, new, repo, catalog_path)
    except release.DiffError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if fmt == "json":
        text = json.dumps({"old": old, "new": new, **result.to_dict()}, indent=2, ensure_ascii=False) + "\n"
    else:
        text = release.format_text(result, old, new)
    _write(text, out)


def _unknown(value: str, pool: list[str], what: str, code: int = 1) -> None:
    from .problems import unknown

    _say(f"error: {unknown(what, value, pool, many=True)}", err=True)
    sys.exit(code)


def _write(text: str, out: Path | None) -> None:
    """Print, or write `out` (its folder made if missing, as `generate` and `schema --out` do); a path
    that cannot be written (a folder, no permission) is an error line and exit 1, not a traceback."""
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename and str(exc.filename) != str(out) else ""
        _say(f"error: {out}: cannot write ({exc.strerror or exc}{where})", err=True)
        sys.exit(1)
    _say(f"wrote {out}", err=True)


@main.command("bench")
@click.option("--scales", default="1,3,10,30", show_default=True, help="Catalog sizes, as multiples of the real one.")
@click.option("--build-scales", default="1,3,10,30", show_default=True,
              help="Sizes at which to build the site (sizes of its pages, build after a catalog change).")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20), help="Repetitions (medians shown).")
@click.option("--bare", is_flag=True, help="Also build the same pages with plain mkdocs-material (the floor).")
def bench_cmd(scales: str, build_scales: str, runs: int, bare: bool) -> None:
    """Benchmark load, validate, graph, render and the site build at several catalog sizes."""
    from . import bench

    def parse(text: str) -> list[int]:
        try:
            return [int(x) for x in text.split(",") if x.strip()]
        except ValueError:
            raise click.BadParameter(f"expected comma-separated whole numbers, got {text!r}") from None

    sys.exit(bench.main(parse(scales), parse(build_scales), runs, bare))
