"""Operations of the programme: one module per use case.

Each operation has a verb name, an explicit actor (``by``), runs in one transaction, raises a typed
error from :mod:`tremplin.programme.exceptions` and writes the audit log.
"""
