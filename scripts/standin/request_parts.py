"""Reading a request's parts for the stand-in's SMN topic and IAM APIs: its JSON body, text and object fields,
and its query string (CCE's too). Each raises :class:`Rejected` (an HTTP status and a message), which the API
turns into its own service's error body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl


class Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def json_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object (400 when it is not one; an empty body is not one)."""
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected(400, f"The request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise Rejected(400, "The request body must be a JSON object.")
    return data


def text(body: dict[str, Any], key: str, required: bool = False) -> str:
    """``body[key]`` as a string, "" when absent or null (400 when ``required``, or when it is not a string)."""
    value = body.get(key)
    if value is None:
        if required:
            raise Rejected(400, f"{key} is required.")
        return ""
    if not isinstance(value, str):
        raise Rejected(400, f"{key} must be a string.")
    return value


def member(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]``, which must be a JSON object (400 otherwise)."""
    value = body.get(key)
    if not isinstance(value, dict):
        raise Rejected(400, f"{key} is required and must be an object.")
    return value


def first_values(query: str) -> dict[str, str]:
    """A query string's parameters, the first value of each."""
    values: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(key, value)
    return values
