class WorkshopError(Exception):
    """A workshop operation refused, with a message for the person who tried."""

    def __init__(self, message, field: str = "") -> None:
        self.message = message
        self.field = field
        super().__init__(str(message))


class TeamOnly(WorkshopError):
    pass


class WorkshopClosed(WorkshopError):
    pass
