"""Logging for the function: one JSON object per line on stdout (FunctionGraph collects stdout into
its logs), with every known secret replaced before the line is written.

Each line of an invocation carries its request ID (``context.getRequestID()``) and whether it is the instance's
first (``cold_start``), in the threads the invocation starts too (:func:`postcheck.workers.concurrently` carries
them there).

A line is at most MAX_LINE_BYTES of UTF-8 (its longest values are cut, saying so), and holds no character
that a reader may take for the end of a line: JSON escapes control characters, and U+2028, U+2029 and
U+0085 (which ``json.dumps(ensure_ascii=False)`` leaves as they are) are escaped here too, as are lone
surrogates (which cannot be written as UTF-8 at all).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

LOGGER_NAME = "postcheck"
MASK = "***"
MAX_LINE_BYTES = 16 * 1024
# The credential sets whose values are masked: the most recent ones registered (each invocation registers
# its own again, which makes it the most recent). Temporary agency keys rotate on the scale of hours, and an
# invocation lasts at most 15 minutes: a set pushed out by this many newer ones is used by no invocation
# still running, while the set of masked values stays bounded however long an instance lives.
MAX_CREDENTIAL_SETS = 64
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_FIXED = ("time", "level", "logger", "request_id", "cold_start")
MAX_REQUEST_ID_CHARS = 128
_BREAKS = re.compile("[\u0085\u2028\u2029\ud800-\udfff]")


class _Secrets:
    """The values to mask: those of the last MAX_CREDENTIAL_SETS credential sets registered."""

    def __init__(self, keep: int = MAX_CREDENTIAL_SETS) -> None:
        self._sets: deque[frozenset[str]] = deque(maxlen=keep)
        self._values: tuple[str, ...] = ()  # the union of the sets, longest first
        self._lock = threading.Lock()

    def add(self, values: Iterable[str | None]) -> None:
        """Register one credential set (AK, SK, token); values shorter than 4 characters are not masked."""
        new = frozenset(v for v in values if v and len(v) >= 4)
        if not new:
            return
        with self._lock:
            if self._sets and self._sets[-1] == new:
                return  # the usual case: the same keys as the invocation before
            if new in self._sets:
                self._sets.remove(new)
            self._sets.append(new)  # the oldest set drops out when the deque is full
            self._values = tuple(sorted(frozenset().union(*self._sets), key=len, reverse=True))

    def redact(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text


SECRETS = _Secrets()


def redact(value: Any) -> Any:
    """``value`` (text, or anything JSON-serialisable) with every registered secret masked."""
    if isinstance(value, str):
        return SECRETS.redact(value)
    return json.loads(SECRETS.redact(json.dumps(value, ensure_ascii=False, default=str)))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            **dict(_INVOCATION.get()),
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return line(entry)


def line(entry: dict[str, Any]) -> str:
    """``entry`` as one JSON log line: secrets masked, line breaks escaped, at most MAX_LINE_BYTES of UTF-8.

    Beyond that, the longest values are cut to a common size (after masking, so that no cut leaves part of a
    secret), each ending with "... [cut: N characters]" where N is how long it was."""
    text = SECRETS.redact(_dumps(entry))
    if _size(text) <= MAX_LINE_BYTES:
        return text
    full = {k: SECRETS.redact(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
            for k, v in entry.items() if k not in _FIXED}
    kept = {k: len(v) for k, v in full.items()}

    def shown(key: str) -> Any:
        return entry[key] if kept[key] == len(full[key]) else _cut(full[key][:kept[key]], len(full[key]))

    for _ in range(8):  # each round cuts to the share that fits; another if characters are unevenly sized
        sizes = {k: _size(_dumps(shown(k))) for k in full}
        room = MAX_LINE_BYTES - (_size(text) - sum(sizes.values())) - 64 * len(full)
        cap = _share(sorted(sizes.values()), room)
        if cap is None:
            break
        for key, size in sizes.items():
            if size > cap:
                kept[key] = max(0, min(kept[key] - 1, kept[key] * cap // size))
        text = SECRETS.redact(_dumps({**entry, **{k: shown(k) for k in full}}))
        if _size(text) <= MAX_LINE_BYTES:
            return text
    # too many values to show a part of each: the fixed fields, the message's start, and what was left out
    message = full.get("message", "")
    brief = {**{k: entry[k] for k in _FIXED if k in entry},
             "message": message if len(message) <= 1024 else _cut(message[:1024], len(message)),
             "cut": f"{len(full) - 1} more values left out: the line was over {MAX_LINE_BYTES} bytes"}
    return SECRETS.redact(_dumps(brief))


def _share(sizes: list[int], room: int) -> int | None:
    """The size to which values larger than it must be cut for ``sizes`` (ascending) to fit ``room``."""
    if room <= 0:
        return None
    for index, size in enumerate(sizes):
        share = room // (len(sizes) - index)
        if size > share:
            return share
        room -= size
    return sizes[-1] if sizes else None


def _cut(start: str, length: int) -> str:
    return f"{start}... [cut: {length} characters]"


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def configure(stream: Any = None, level: int = logging.INFO) -> logging.Logger:
    """Attach the JSON, redacting handler to the function's logger once per process."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_postcheck", False) for h in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.setFormatter(JsonFormatter())
        handler._postcheck = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level)
        # Only the masking handler writes the function's records: none reaches a handler the runtime (or
        # anything else) may have put on the root logger.
        logger.propagate = False
    return logger


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


# The invocation under way in this context: its request ID and whether it started the instance.
_INVOCATION: contextvars.ContextVar[tuple[tuple[str, Any], ...]] = contextvars.ContextVar("postcheck_invocation",
                                                                                          default=())
_started = False  # whether an invocation has begun in this instance
_started_lock = threading.Lock()


@contextmanager
def invocation(context: Any) -> Iterator[None]:
    """Within it, every line says which invocation wrote it: ``request_id`` (``context.getRequestID()``, if the
    context gives one) and ``cold_start`` (true for the first invocation of this instance only)."""
    global _started
    with _started_lock:
        cold, _started = not _started, True
    fields: tuple[tuple[str, Any], ...] = (("cold_start", cold),)
    try:
        request_id = context.getRequestID()
        shown = str(request_id)[:MAX_REQUEST_ID_CHARS] if request_id else None
    except Exception:  # noqa: BLE001 - a context without a usable one (a local run): the lines go without it
        shown = None
    if shown:
        fields = (("request_id", shown), *fields)
    token = _INVOCATION.set(fields)
    try:
        yield
    finally:
        _INVOCATION.reset(token)
