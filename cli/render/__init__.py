"""Rich renderers, one module per view. Each returns a renderable; only the commands print."""
