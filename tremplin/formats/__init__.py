"""Format overrides per language (``FORMAT_MODULE_PATH``): one way of showing dates per language (the
short names that templates and code use all give the same format), and the French thousands separator."""
