"""One module per format family; each exposes a `*Parser` class following ingest.registry.Parser."""
