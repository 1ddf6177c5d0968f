"""The one error type that services raise for a broken business rule."""


class ApplicationError(Exception):
    """A rule was broken. ``code`` is stable (clients switch on it); ``message`` is for people.

    ``field`` names the input at fault when there is one; the API puts it in the JSON body and
    forms attach the message to that field.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None, extra=None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}
