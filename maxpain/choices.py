"""The names a front end offers as choices (scan's sort fields, heatmap metrics, GEX conventions),
in a module that imports nothing, so a command can list them at start-up without loading polars or
numpy. The analyses that act on them take them from here."""

from __future__ import annotations

#: Fields ``scan --sort`` accepts (numbers; a build-up sorts by its change).
SCAN_SORTABLE = (
    "ticker",
    "spot",
    "monthly_distance_pct",
    "put_call_oi",
    "net_gex",
    "flip_distance_pct",
    "top_build_up",
    "put_wall_distance_pct",
    "call_wall_distance_pct",
)
#: What a heatmap's cells can show.
HEATMAP_METRICS = ("oi", "calls", "puts", "net", "change", "gex")
#: Who dealer gamma assumes is short the options.
CONVENTIONS = ("naive", "dealer-short")
