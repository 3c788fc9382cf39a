"""One module per dataset; each exposes ``load(ctx) -> bool`` (False when absent)."""
