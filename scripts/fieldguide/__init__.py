"""ML Deployment Field Guide: catalog schema, loader, graph, site generator, exports and CLI."""

# The catalog release: calendar versioning (YYYY.MM.DD), one place for version and date. CITATION.cff
# repeats both (a test keeps them in step); earlier releases are listed in releases.yaml.
__version__ = "2026.11.29"
RELEASED = "2026-11-29"
GUIDE_TITLE = "ML Deployment Field Guide"
GUIDE_AUTHOR = "ML Deployment Field Guide contributors"  # the corporate author, as in CITATION.cff
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"  # where `make serve` serves the site
