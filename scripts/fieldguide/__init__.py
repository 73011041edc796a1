"""ML Deployment Field Guide: catalog schema, loader, graph, site generator, exports and CLI."""

__version__ = "0.1.0"
