"""Indicators of a territory and of a programme, computed from the platform's records (``compute.py``)."""
