"""Bounds on JSON that comes from outside: how large, how deep, how many values and how long a number.

Every parse of text from an event goes through :func:`loads` and every parsed or received value through
:func:`check`, so that no event can make the handler raise: ``json.loads`` raises ``RecursionError`` on deep
text, and ``int()`` raises ``ValueError`` on more than 4,300 digits (``sys.int_max_str_digits``, Python
3.10.7 and later; https://docs.python.org/3/library/stdtypes.html#int-max-str-digits). A bound that is
broken raises :class:`OutOfBounds`, which says what was broken but not where: the caller names the field.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 24
MAX_NODES = 20_000
# A number longer than this is refused, whether an integer or not: an HTTP status has 3 digits, a time in
# epoch milliseconds 13, a 64-bit integer 20; nothing an event carries needs more. Far below Python's
# 4,300-digit limit.
MAX_NUMBER_CHARS = 100
_INT_LIMIT = 10**MAX_NUMBER_CHARS


class OutOfBounds(Exception):
    """The text or value breaks a bound; ``str()`` says which (``nested deeper than 24 levels``), not where.

    ``path`` holds the keys (and list indexes) down to the number that is too long; it is empty for the
    other bounds, which are about the whole value."""

    def __init__(self, reason: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(reason)
        self.path = path


class LongNumber:
    """Stands in, in what :func:`loads` returns, for a number too long to read; :func:`check` refuses it
    naming where it is."""

    __slots__ = ()


_LONG_NUMBER = LongNumber()
_TOO_LONG = f"a number longer than {MAX_NUMBER_CHARS} characters"


def loads(text: str) -> Any:
    """``text`` parsed as JSON, without reading any number longer than :data:`MAX_NUMBER_CHARS` characters.

    The caller bounds the text's length first, and must pass what this returns to :func:`check`, which
    refuses a number too long to read (naming where it is), and too deep or too large a value. Raises
    :class:`OutOfBounds` for text nested too deep to parse, and ``ValueError`` (``json.JSONDecodeError``)
    for text that is not JSON.
    """
    try:
        return json.loads(text, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise OutOfBounds(f"nested deeper than {MAX_DEPTH} levels") from None


def check(value: Any, max_size: int | None = None) -> None:
    """Refuse ``value`` if it is nested deeper than :data:`MAX_DEPTH`, holds more than :data:`MAX_NODES`
    values, a number too long to read (more than :data:`MAX_NUMBER_CHARS` digits) or, given ``max_size``,
    more than that many characters of text (each number, boolean or null counting 8: text that was parsed is
    bounded by its own length instead). Walks without recursion."""
    _walk(value, max_size, whole=True)


def check_size(value: Any, max_size: int) -> None:
    """Refuse ``value`` only if it holds more than ``max_size`` characters of text, counted as :func:`check`
    counts them, or more than ``max_size`` values (JSON text of ``max_size`` bytes cannot hold more): the bound
    on a delivery of several events as a whole, and on an event before whose it is has been decided. Neither
    depth nor numbers are looked at; walks without recursion, and ends on any value."""
    _walk(value, max_size, whole=False)


def _walk(value: Any, max_size: int | None, whole: bool) -> None:
    budget: float = max_size if max_size is not None else math.inf
    max_nodes = MAX_NODES if whole or max_size is None else max_size
    nodes = 0
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        nodes += 1
        if whole and len(path) >= MAX_DEPTH:
            raise OutOfBounds(f"nested deeper than {MAX_DEPTH} levels")
        if nodes > max_nodes:
            raise OutOfBounds(f"more than {MAX_NODES} values" if whole else f"larger than the {max_size}-byte limit")
        if isinstance(node, dict):
            for key, item in node.items():
                budget -= len(key) if isinstance(key, str) else 8
                stack.append((item, (*path, key) if whole else path))
        elif isinstance(node, (list, tuple)):
            stack.extend((item, (*path, index) if whole else path) for index, item in enumerate(node))
        elif isinstance(node, (str, bytes)):
            budget -= len(node)
        else:
            if whole and (node is _LONG_NUMBER or (isinstance(node, int) and not -_INT_LIMIT < node < _INT_LIMIT)):
                raise OutOfBounds(_TOO_LONG, path)
            budget -= 8
        if budget < 0:
            raise OutOfBounds(f"larger than the {max_size}-byte limit")


def _int(text: str) -> int | LongNumber:
    return int(text) if len(text.removeprefix("-")) <= MAX_NUMBER_CHARS else _LONG_NUMBER


def _float(text: str) -> float | LongNumber:
    return float(text) if len(text) <= MAX_NUMBER_CHARS else _LONG_NUMBER
