"""Logging for the function: one JSON object per line on stdout (FunctionGraph collects stdout into
its logs), with every known secret replaced before the line is written."""

from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any

LOGGER_NAME = "postcheck"
MASK = "***"
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class _Secrets:
    def __init__(self) -> None:
        self._values: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, values: tuple[str, ...]) -> None:
        with self._lock:
            self._values = self._values | {v for v in values if v and len(v) >= 4}

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
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
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return SECRETS.redact(json.dumps(entry, ensure_ascii=False, default=str))


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
