"""ML Deployment Field Guide: catalog schema, loader, graph, site generator, exports and CLI."""

__version__ = "0.1.0"
RELEASED = "2026-11-27"  # keep in step with CITATION.cff (a test checks)
GUIDE_TITLE = "ML Deployment Field Guide"
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"  # where `make serve` serves the site
