"""One error family shared by the library and the command line.

Every failure a user can meet is a :class:`MaxpainError` subclass carrying the exit code the CLI
returns for it; the message is one sentence that says what went wrong and how to fix it.
"""

from __future__ import annotations


class MaxpainError(Exception):
    """Base class: a failure we understand, reported as one sentence and an exit code.

    ``parameter`` names the argument the user can change to fix it (a library parameter name such
    as ``until``); front ends map it to their own spelling (the CLI adds ``(--until)``).
    """

    exit_code = 1

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class InputError(MaxpainError, ValueError):
    """The input (a file, a frame, an argument) cannot be used as given."""

    exit_code = 3


class NotAChainError(InputError):
    """The file is not an option chain at all (no chain columns, not a chain body): a folder
    import passes over it instead of refusing it."""


class NotFoundError(MaxpainError, LookupError):
    """A ticker, snapshot or expiration the user asked for does not exist."""

    exit_code = 4


class NoOptionsError(MaxpainError):
    """The source answered, but the symbol lists no options."""

    exit_code = 5


class RateLimitedError(MaxpainError):
    """Yahoo kept answering 429 after our bounded back-off."""

    exit_code = 6


class AuthError(MaxpainError):
    """Yahoo refused the request (401, invalid crumb): nothing came back."""

    exit_code = 7


class NetworkError(MaxpainError):
    """The network is down or the source sent something that is not an answer (HTML, timeout)."""

    exit_code = 8


class StoreError(MaxpainError):
    """The snapshot store cannot be read or written (missing, read-only, damaged)."""

    exit_code = 9


class FetchIncompleteError(MaxpainError):
    """Some expirations could not be fetched and a partial snapshot was not allowed; nothing was saved."""

    exit_code = 10


EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "internal error (a bug: please report it with MAXPAIN_DEBUG=1 output)",
    2: "usage error (unknown option, bad argument syntax)",
    3: "bad input: the file, frame or argument cannot be used (wrong columns, negative OI, ...)",
    4: "not found: ticker, snapshot or expiration not in the store or not listed",
    5: "the symbol lists no options",
    6: "rate limited by Yahoo after bounded retries",
    7: "authentication/crumb failure at Yahoo (401)",
    8: "network failure or a non-JSON answer",
    9: "store error: the store cannot be read or written",
    10: "incomplete fetch: some expirations failed and --allow-partial was not given",
    130: "interrupted (Ctrl-C)",
}


class DeadlineError(MaxpainError):
    """A run's global deadline passed (or waiting would pass it): the run ends, exit code 11 as
    any run that did not save every ticker."""

    exit_code = 11
