"""mkdocs hook: hands the generated pages to mkdocs. All logic lives in `render`."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from fieldguide import graph, load, render


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent / "catalog"
    try:
        catalog = load.load(root)
    except load.CatalogError as exc:
        lines = "\n".join(str(p) for p in exc.problems)
        raise PluginError(f"the catalog has {len(exc.problems)} problem(s):\n{lines}") from None
    g = graph.build(catalog)
    for path, markdown in render.render(catalog, g).items():
        files.append(File.generated(config, path, content=markdown))
    return files
