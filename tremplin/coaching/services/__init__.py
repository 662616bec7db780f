"""Operations of the coaching phase: verb names, an explicit actor (``by=user``), one transaction each,
typed errors (``tremplin.coaching.services.errors``)."""
