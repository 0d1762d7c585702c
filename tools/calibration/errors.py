"""The calibration tools' two errors."""


class InputError(Exception):
    """Input the tool cannot read at all (exit 2)."""


class NA(Exception):
    """A figure a log cannot give; the message says why."""
