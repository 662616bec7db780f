"""Synergy potentials of EPCIs computed outside the platform and loaded into it.

``tremplin potential`` (tremplin/national, on Dask) computes, from a national or regional SIRENE file,
the potential of every EPCI: deductive leads, tonnes, t CO2e and € per year. The programme team loads
its ``potentials.csv`` or ``potentials.parquet`` (and ``potentials_by_family``) here as a dated, sourced
*release*; the programme pages show releases as a map and a table, and an applicant whose workspace has
no establishment yet gets its potential from the newest release that covers its EPCI.

Access: these are aggregates of a public register (SIRENE, Licence Ouverte) estimated by the engine, one
row per EPCI and never an establishment: they hold no territory's confidential data, so the models are
not registered with the scoping mechanism. The pages are the programme team's (any member, bound to a
region or not, sees and loads national data); the committee sees an applicant's figure only where it
already sees that applicant's potential.
"""
