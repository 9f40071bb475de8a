"""Pages of the contracts app, one module per area (evaluation, awards, contracts, reports)."""
