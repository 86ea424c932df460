"""Deploy's mark: how a thing in the cloud records which functions' deploys made it or use it.

Deploy writes ``managed by cce-postcheck-deploy for function <name>`` into what it creates (a function's, policy's
or agency's description, a subscription's remark); when several functions' deploys share a thing (``--adopt``), the
one mark names them all: ``managed by cce-postcheck-deploy for functions <a>, <b>``. :func:`marks` reads the
function names back, whole names only (``cce-postcheck`` is not ``cce-postcheck-b``). Topics carry the mark as tags
(``scripts/deployment/resources.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MANAGED_BY = "cce-postcheck-deploy"
_NAME = r"[A-Za-z][A-Za-z0-9_-]*"  # a FunctionGraph function name
_MARKS = re.compile(rf"managed by {re.escape(MANAGED_BY)} for functions? ({_NAME}(?:, {_NAME})*)")
# FunctionGraph: a function's description is at most 512 characters (CreateFunction, UpdateFunctionConfig).
MAX_FUNCTION_DESCRIPTION = 512


def marker(functions: str | Iterable[str]) -> str:
    """The mark naming ``functions`` (one name, or several)."""
    names = sorted({functions} if isinstance(functions, str) else set(functions))
    if not names:
        raise ValueError("a mark names at least one function")
    return f"managed by {MANAGED_BY} for function{'s' if len(names) > 1 else ''} {', '.join(names)}"


def marks(text: str | None) -> frozenset[str]:
    """The functions the marks in ``text`` name; empty when it has none."""
    found: set[str] = set()
    for match in _MARKS.finditer(text or ""):
        found.update(match.group(1).split(", "))
    return frozenset(found)


def marked_description(description: str, function: str) -> str:
    """A function's description as deploy sets it: the template's, then the mark."""
    return f"{description}; {marker(function)}" if description else marker(function)
