"""One module per command: resolve snapshots → call an analysis → render or payload."""
