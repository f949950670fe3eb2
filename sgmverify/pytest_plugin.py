"""pytest plugin (placeholder until the engine lands)."""
