"""Loading intent files fast and safely: YAML with lines, checks, caching, workers, snapshots."""
