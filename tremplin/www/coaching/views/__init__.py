"""Coaching views, split by use case: calendar, deliverables, support and network, follow-up."""
