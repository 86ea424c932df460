"""What the stand-in's PublishMessage checks beyond the body's basic fields: ``message_attributes`` and the chat
protocols' ``message_structure`` entries. Written from SMN's documentation, independently of the function's code.

Message attributes (documented: PublishMessage, https://support.huaweicloud.com/api-smn/PublishMessage.html, and
SDK 3.1.219's ``MessageAttribute``): ``name`` 1-32 of ``[a-z0-9_]``, ``_`` neither first, last nor doubled;
``type`` ``STRING``, ``STRING_ARRAY`` or ``PROTOCOL``; a ``STRING`` value 1-32 Chinese or Latin letters, digits
or ``_``; a ``STRING_ARRAY`` 1-10 distinct such strings; a ``PROTOCOL`` value a list of protocol names. SMN's
error code for a bad attribute is not published: the stand-in answers its generic 400 (``SMN.00010004``, see
:mod:`scripts.standin.replies`).

Chat entries (documented: the same page): ``dingding``, ``wechat``, ``feishu`` and ``welink`` entries carry a
``msgType``; DingTalk, WeCom and Feishu take ``text`` or ``markdown``, WeLink ``text`` only; a DingTalk robot's
message is at most 20,000 bytes, a Feishu robot's 30 KB (but Feishu's own custom-bot guide,
https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN, caps a request body at 20 KB: the stricter
one is checked); WeCom's robot page
(https://work.weixin.qq.com/api/doc/90000/90136/91770): ``text`` content at most 2,048 bytes, ``markdown``
content 4,096. ASSUMED (no public page shows a whole entry; docs/operations.md, "Chat apps", lists these): the
entry is a JSON text of
an object, ``{"msgType": T, T: {...}}`` with the body named and shaped as the app's robot API has it
(``markdown``: DingTalk and Feishu ``{title, text}``, WeCom ``{content}``; ``text``: ``{content}``), and WeLink's
content at most 500 characters. What each app would show raw (its robot page's markdown list): HTML, tables and
images anywhere; headings and lists in Feishu's and WeCom's markdown (WeCom's ``markdown`` has headings but no
lists); any markdown in ``text``. A broken entry is answered ``SMN.0021`` "MessageStructure is invalid."
(SMN's error codes, https://support.huaweicloud.com/api-smn/ErrorCode.html).
"""

from __future__ import annotations

import json
import re
from typing import Any

MESSAGE_STRUCTURE_INVALID = "SMN.0021"  # documented: 400 "MessageStructure is invalid."

ATTRIBUTE_NAME = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
ATTRIBUTE_STRING = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]{1,32}$")
ATTRIBUTE_TYPES = ("STRING", "STRING_ARRAY", "PROTOCOL")
# message_structure's protocols (SDK 3.1.219 PublishMessageRequestBody), the values a PROTOCOL attribute may name.
PROTOCOLS = ("email", "sms", "http", "https", "functiongraph", "functionstage", "dingding", "wechat", "feishu",
             "welink", "welinkRed", "dingTalkBot")

CHAT_TYPES = {"dingding": ("text", "markdown"), "wechat": ("text", "markdown"), "feishu": ("text", "markdown"),
              "welink": ("text",)}
# (protocol, msgType) -> the body's required string fields.
CHAT_FIELDS = {
    ("dingding", "markdown"): ("title", "text"), ("feishu", "markdown"): ("title", "text"),
    ("wechat", "markdown"): ("content",),
    ("dingding", "text"): ("content",), ("wechat", "text"): ("content",), ("feishu", "text"): ("content",),
    ("welink", "text"): ("content",),
}
ENTRY_BYTES = {"dingding": 20_000, "feishu": 20 * 1024}
CONTENT_BYTES = {("wechat", "markdown"): 4096, ("wechat", "text"): 2048}
CONTENT_CHARS = {("welink", "text"): 500}  # assumed

_EVERYWHERE = ((re.compile(r"<[A-Za-z/!]"), "HTML"), (re.compile(r"(?m)^\s*\|"), "a table"),
               (re.compile(r"!\["), "an image"))
_HEADING = (re.compile(r"(?m)^\s*#"), "a heading")
_LIST = (re.compile(r"(?m)^\s*(?:[-*+]|\d+\.)\s"), "a list")
_RAW_IN = {
    ("feishu", "markdown"): (_HEADING, _LIST),
    ("wechat", "markdown"): (_LIST,),
    "text": ((re.compile(r"\*\*|__|`|\]\("), "markdown emphasis, code or a link"), _HEADING, _LIST,
             (re.compile(r"(?m)^\s*>"), "a quote")),
}


class Refused(Exception):
    """SMN refuses the body; ``code`` is the SMN error code to answer with (None: the generic 400)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def message_attributes(value: Any) -> list[dict[str, Any]] | None:
    """The body's ``message_attributes``, checked; None if absent."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise Refused("Parameter: message_attributes must be a list.")
    for index, item in enumerate(value):
        where = f"message_attributes[{index}]"
        if not isinstance(item, dict):
            raise Refused(f"Parameter: {where} must be an object.")
        name, kind, attribute = item.get("name"), item.get("type"), item.get("value")
        if not isinstance(name, str) or not 1 <= len(name) <= 32 or not ATTRIBUTE_NAME.fullmatch(name):
            raise Refused(f"Parameter: {where}.name {name!r} is invalid: 1-32 of a-z, 0-9 and _, "
                          "_ not first, last or doubled.")
        if kind not in ATTRIBUTE_TYPES:
            raise Refused(f"Parameter: {where}.type {kind!r} is invalid: one of {', '.join(ATTRIBUTE_TYPES)}.")
        if kind == "STRING" and not (isinstance(attribute, str) and ATTRIBUTE_STRING.fullmatch(attribute)):
            raise Refused(f"Parameter: {where}.value {attribute!r} is invalid: 1-32 letters, digits or _.")
        if kind == "STRING_ARRAY" and not (
                isinstance(attribute, list) and 1 <= len(attribute) <= 10 and len(set(map(str, attribute))) ==
                len(attribute) and all(isinstance(v, str) and ATTRIBUTE_STRING.fullmatch(v) for v in attribute)):
            raise Refused(f"Parameter: {where}.value is invalid: 1-10 distinct strings of 1-32 letters, digits or _.")
        if kind == "PROTOCOL" and not (isinstance(attribute, list) and attribute
                                       and all(v in PROTOCOLS for v in attribute)):
            raise Refused(f"Parameter: {where}.value is invalid: a list of protocols ({', '.join(PROTOCOLS)}).")
    return value


def chat_entries(structure: dict[str, Any]) -> None:
    """Each chat protocol's entry of a parsed ``message_structure``, checked against the (assumed) form."""
    for protocol, allowed in CHAT_TYPES.items():
        if protocol in structure:
            _chat_entry(protocol, allowed, structure[protocol])


def _chat_entry(protocol: str, allowed: tuple[str, ...], text: Any) -> None:
    def refuse(why: str) -> Refused:
        return Refused(f"MessageStructure is invalid. {protocol}: {why}", MESSAGE_STRUCTURE_INVALID)

    if not isinstance(text, str):
        raise refuse("the entry must be a JSON text of an object")
    try:
        entry = json.loads(text)
    except json.JSONDecodeError:
        raise refuse("the entry must be a JSON text of an object") from None
    if not isinstance(entry, dict):
        raise refuse("the entry must be a JSON text of an object")
    msg_type = entry.get("msgType")
    if msg_type not in allowed:
        raise refuse(f"msgType {msg_type!r} is not one of {', '.join(allowed)}")
    body = entry.get(msg_type)
    fields = CHAT_FIELDS[(protocol, msg_type)]
    if not isinstance(body, dict) or any(not isinstance(body.get(f), str) or not body[f] for f in fields):
        raise refuse(f"a {msg_type} entry needs {msg_type}: {{{', '.join(fields)}}}, each a non-empty string")
    content = body[fields[-1]]
    if protocol in ENTRY_BYTES and len(text.encode("utf-8")) > ENTRY_BYTES[protocol]:
        raise refuse(f"the message is larger than {ENTRY_BYTES[protocol]} bytes")
    if (protocol, msg_type) in CONTENT_BYTES and len(content.encode("utf-8")) > CONTENT_BYTES[(protocol, msg_type)]:
        raise refuse(f"the {msg_type} content is larger than {CONTENT_BYTES[(protocol, msg_type)]} bytes")
    if (protocol, msg_type) in CONTENT_CHARS and len(content) > CONTENT_CHARS[(protocol, msg_type)]:
        raise refuse(f"the {msg_type} content is longer than {CONTENT_CHARS[(protocol, msg_type)]} characters")
    rules = _EVERYWHERE + (_RAW_IN["text"] if msg_type == "text" else _RAW_IN.get((protocol, msg_type), ()))
    for pattern, what in rules:
        if pattern.search(content):
            raise refuse(f"the {msg_type} content has {what}, which the app would show as it is")
