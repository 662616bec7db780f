"""Tremplin: a platform for industrial and territorial ecology (EIT) programmes and territories."""

__version__ = "0.1.0"
