"""One router per resource of the API; see the conventions in :mod:`tremplin.api`."""
