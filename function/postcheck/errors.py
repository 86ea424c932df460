"""The invocation's own failures: raised on purpose so that the platform delivers the event again (and, after its
retries, to the failure destination). Each message says why; none holds a secret or a traceback."""

from __future__ import annotations


class InvocationFailed(RuntimeError):
    """The invocation fails, for the platform to deliver the event again."""


class NotificationFailed(InvocationFailed):
    """A result could not be published."""


class SweepFailed(InvocationFailed):
    """The sweep could not be completed: the invocation fails so that the platform runs it again."""
