"""Synergies of a territory: detection runs and their leads, the pipeline, its history and measurements."""
