"""maxpain command line (installed as maxpain_cli)."""
