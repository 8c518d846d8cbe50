"""Named errors of the domain. Messages are English msgids (marked with N_) that screens translate."""


def N_(message):
    """Mark a message for extraction into the catalog; it is translated where it is shown."""
    return message


class DomainError(Exception):
    """A rule of the office was broken: message is a msgid, params fill its %(name)s placeholders."""

    def __init__(self, message, field=None, translate=(), **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params
        self.translate = translate  # the params that are msgids themselves


class ValidationError(DomainError):
    """A value is not acceptable (ID number, phone, dates, lengths...)."""


class NotAllowed(DomainError):
    """A step is not allowed in the record's present state."""


class InUse(DomainError):
    """A record cannot be deleted because others point to it."""


class StaleRecord(DomainError):
    """Someone else saved the record after it was read: this save would overwrite their work."""

    MESSAGE = N_("Someone else saved this record after you opened it; your changes were not saved.")
