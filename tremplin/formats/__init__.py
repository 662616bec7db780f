"""One way of showing dates per language (``FORMAT_MODULE_PATH``): the short names that templates and
code use (``SHORT_DATE_FORMAT``, ``DATETIME_FORMAT``…) all give the same format, so that every page
of one language writes a date the same way."""
