"""Format overrides per language, on top of Django's (``FORMAT_MODULE_PATH``): only what differs."""
