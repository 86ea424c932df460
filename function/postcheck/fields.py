"""Constrained field types shared by the event models and the CCE gateway.

Everything that can reach a URL path (cluster and task IDs) is checked here, once, so that no
unchecked value is ever sent to the cloud.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
VERSION_RE = re.compile(r"^v[0-9]{1,3}\.[0-9]{1,3}(?:\.[0-9]{1,4})?(?:-r[0-9]{1,4})?$")
# Resource names and free text from events are bounded so that no event can blow up a notification.
MAX_NAME_LENGTH = 128


def cce_id(value: object) -> str:
    """``value`` as a CCE ID, or ValueError."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("expected a CCE ID")
    return _uuid_like(value)


def _uuid_like(value: str) -> str:
    lowered = value.strip().lower()
    if not UUID_RE.fullmatch(lowered):
        raise ValueError(
            "expected a CCE ID: 32 hex digits as 8-4-4-4-12 (e.g. 8978deaa-1743-11ee-8e46-0255ac10004c)"
        )
    return lowered


def _version(value: str) -> str:
    stripped = value.strip()
    if not VERSION_RE.fullmatch(stripped):
        raise ValueError("expected a CCE cluster version such as v1.28 or v1.28.3-r0")
    return stripped


# A CCE cluster ID or task ID: UUID-shaped, normalised to lower case.
CceId = Annotated[str, StringConstraints(max_length=64), AfterValidator(_uuid_like)]
# A CCE cluster version as the API spells it (v1.28, v1.28.3-r0).
ClusterVersion = Annotated[str, StringConstraints(max_length=32), AfterValidator(_version)]
def clean_text(value: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Text from an event or an API, fit to be carried: bounded, and encodable as UTF-8 (a lone surrogate,
    which JSON's ``\\ud800`` escape can produce, becomes U+FFFD)."""
    clipped = value[:limit]
    return clipped.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _has_surrogate(clipped) else clipped


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


# A name or label taken from an event: bounded length, UTF-8 encodable, no further meaning.
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_LENGTH), AfterValidator(clean_text)]
