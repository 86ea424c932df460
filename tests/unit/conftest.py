"""Fixtures of the unit tests (pure: no SDK, no stand-in)."""

from __future__ import annotations

import pytest

from tests.support import clear_configuration


@pytest.fixture
def no_configuration_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function's configuration variables are absent from the process environment: what a test's context
    answers is all the configuration there is."""
    clear_configuration(monkeypatch)
