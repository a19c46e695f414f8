"""``python -m maxpain_cli``: the maxpain command."""

from .app import main

main()
