"""The ``message_structure`` entries for SMN's chat protocols: DingTalk (``dingding``), WeCom (``wechat``),
Feishu/Lark (``feishu``) and WeLink (``welink``). Pure: text in, text out.

What SMN documents (PublishMessage, ``message_structure``; https://support.huaweicloud.com/api-smn/PublishMessage.html
and the same text in SDK 3.1.219's ``PublishMessageRequestBody``):

- the ``dingding``, ``wechat``, ``feishu`` and ``welink`` messages must carry a ``msgType`` field; DingTalk,
  WeCom and Feishu robots take ``text`` or ``markdown``, WeLink robots ``text`` only;
- a DingTalk group robot's message is limited to 20,000 bytes, a Feishu group robot's to 30 KB; for WeCom SMN
  points to WeCom's own robot page (https://work.weixin.qq.com/api/doc/90000/90136/91770): a ``markdown``
  ``content`` is at most 4,096 bytes (UTF-8), a ``text`` one 2,048.

ASSUMED, not documented (no public page or SDK shows a whole chat entry): the value of each chat key is, like
the ``APNS`` entry SMN documents, a JSON *text* holding an object: ``msgType`` plus the body of that type, named
and shaped as the app's own robot API names it (DingTalk ``markdown: {title, text}``, WeCom
``markdown: {content}``, WeLink ``text: {content}``); Feishu, which SMN gives a title and a title colour, as
``markdown: {title, text}``. WeLink's size limit is not published either: 500 characters is assumed. These
assumptions live in :data:`FORMS` and :data:`LIMITS`; the local stand-in checks exactly this form
(``scripts/standin/api.py``), and docs/operations.md ("Chat apps") lists them.

What each app renders (their robot pages): DingTalk markdown headings, bold, lists and line breaks written as
two spaces before ``\\n``; WeCom's ``markdown`` headings, bold, links and quotes but no lists or tables;
Feishu's card markdown bold and links but no headings (the title is a field). So: headings only for DingTalk and
WeCom, bullets as the plain character ``•`` outside DingTalk, no tables, images or HTML anywhere, and WeLink
gets plain text. Text from events and APIs (cluster names, error messages, findings) is one printable line with
every character these apps read as markup (``\\ * _ ~ # [ ] < > | ` ``) replaced by its full-width twin, so no
value can add markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

PROTOCOLS = ("dingding", "wechat", "feishu", "welink")

# What limits each entry (see the module docstring for the sources; WeLink's is an assumption):
#   ("entry_bytes", n): the whole entry, as UTF-8 JSON text, at most n bytes (SMN names the robot message's size);
#   ("content_bytes", n): the content field at most n bytes of UTF-8 (WeCom's page);
#   ("content_chars", n): the content field at most n characters.
LIMITS: dict[str, tuple[str, int]] = {
    "dingding": ("entry_bytes", 20_000),
    "wechat": ("content_bytes", 4_096),
    # SMN's page says 30 KB, but Feishu's own custom-bot guide caps a request body at 20 KB
    # (https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN), and SMN wraps the entry in its
    # own card: 18 KB leaves a margin for that wrapper, whose size is not published.
    "feishu": ("entry_bytes", 18 * 1024),
    "welink": ("content_chars", 500),  # ASSUMPTION: WeLink publishes no limit that could be found
}

# The entry's form: msgType, then the body object's name and the fields (title, content) it carries.
FORMS: dict[str, tuple[str, str, str | None, str]] = {
    # protocol: (msgType, body key, title field or None, content field)
    "dingding": ("markdown", "markdown", "title", "text"),
    "wechat": ("markdown", "markdown", None, "content"),
    "feishu": ("markdown", "markdown", "title", "text"),
    "welink": ("text", "text", None, "content"),
}

# Each markup character becomes its full-width form (U+FF01-U+FF5E are U+0021-U+007E shifted by 0xFEE0).
MARKUP_CHARACTERS = "\\`*_~#[]<>|"
_MARKUP = str.maketrans({ch: chr(ord(ch) + 0xFEE0) for ch in MARKUP_CHARACTERS})
# A value is cut to this many characters first; if an entry is still too long, to the next ones.
VALUE_CAPS = (300, 120, 60)


@dataclass(frozen=True)
class Document:
    """What a chat message says, with every value already made markup-free (:func:`inert`)."""

    title: str  # the SMN subject (DingTalk's and Feishu's title field)
    headline: str
    facts: list[tuple[str, str]]  # label, value
    health: str | None = None  # the health gate's one-line summary
    findings: list[str] = field(default_factory=list)
    findings_omitted: int = 0  # not listed in the result either
    steps_label: str = "What to do next"
    steps: str = ""

    def brief(self) -> Document:
        """The same message without its list of findings and with short values: for a message whose other
        bodies already take most of SMN's 256 KB."""
        short = _capped(self, VALUE_CAPS[-1])
        return Document(short.title, short.headline, short.facts, short.health, [],
                        len(self.findings) + self.findings_omitted, short.steps_label, short.steps)


def inert(value: str, cap: int | None = None) -> str:
    """``value`` (already one printable line) with every markup character of the chat apps replaced by its
    full-width twin, cut to ``cap`` characters."""
    text = value.translate(_MARKUP)
    return text if cap is None or len(text) <= cap else text[: cap - 1] + "…"


def entries(doc: Document) -> dict[str, str]:
    """The ``message_structure`` entry (a JSON text) of every chat protocol, each within its limit."""
    return {protocol: entry(protocol, doc) for protocol in PROTOCOLS}


def entry(protocol: str, doc: Document) -> str:
    render = _RENDERERS[protocol]
    text = ""
    for cap in VALUE_CAPS:
        capped = _capped(doc, cap)
        shown = len(capped.findings)
        while True:
            text = _wrap(protocol, doc.title, render(capped, shown))
            if fits(protocol, text) or shown == 0:
                break
            shown -= 1
        if fits(protocol, text):
            return text
    return _cut_to_fit(protocol, doc.title, render(_capped(doc, VALUE_CAPS[-1]), 0))


def content_of(protocol: str, text: str) -> str:
    """The content field of an entry made by :func:`entry`."""
    _, body, _, content = FORMS[protocol]
    return json.loads(text)[body][content]


def fits(protocol: str, text: str) -> bool:
    kind, limit = LIMITS[protocol]
    if kind == "entry_bytes":
        return len(text.encode("utf-8")) <= limit
    content = content_of(protocol, text)
    return (len(content.encode("utf-8")) if kind == "content_bytes" else len(content)) <= limit


def _wrap(protocol: str, title: str, content: str) -> str:
    msg_type, body, title_field, content_field = FORMS[protocol]
    inner = {title_field: title} if title_field else {}
    inner[content_field] = content
    return json.dumps({"msgType": msg_type, body: inner}, ensure_ascii=False, separators=(",", ":"))


def _capped(doc: Document, cap: int) -> Document:
    return Document(doc.title, doc.headline, [(label, _cap(value, cap)) for label, value in doc.facts],
                    _cap(doc.health, cap) if doc.health else None, [_cap(f, cap) for f in doc.findings],
                    doc.findings_omitted, doc.steps_label, doc.steps)


def _cap(value: str, cap: int) -> str:
    return value if len(value) <= cap else value[: cap - 1] + "…"


def _more(doc: Document, shown: int) -> int:
    return len(doc.findings) - shown + doc.findings_omitted


# -- one renderer per app: (document, findings to list) -> the content field --------------------------------------


def _dingding(doc: Document, shown: int) -> str:
    # DingTalk markdown: a line break is two spaces before \n; blank lines separate blocks; "- " lists render.
    blocks = [f"#### {doc.headline}", "  \n".join(f"**{label}:** {value}" for label, value in doc.facts)]
    if doc.health:
        blocks.append(f"**Health:** {doc.health}")
        listed = [f"- {finding}" for finding in doc.findings[:shown]]
        if _more(doc, shown):
            listed.append(f"- and {_more(doc, shown)} more")
        if listed:
            blocks.append("\n".join(listed))
    blocks.append(f"**{doc.steps_label}:** {doc.steps}")
    return "\n\n".join(blocks)


def _lines(doc: Document, shown: int, heading: str | None) -> str:
    # WeCom and Feishu markdown: \n breaks lines; no lists (a plain bullet character instead).
    lines = [heading] if heading else []
    lines += [f"**{label}:** {value}" for label, value in doc.facts]
    if doc.health:
        lines += ["", f"**Health:** {doc.health}"]
        lines += [f"• {finding}" for finding in doc.findings[:shown]]
        if _more(doc, shown):
            lines.append(f"• and {_more(doc, shown)} more")
    lines += ["", f"**{doc.steps_label}:** {doc.steps}"]
    return "\n".join(lines)


def _wechat(doc: Document, shown: int) -> str:
    return _lines(doc, shown, f"### {doc.headline}")  # WeCom has no title field: the headline leads


def _feishu(doc: Document, shown: int) -> str:
    return _lines(doc, shown, None)  # Feishu shows the title field as the card's header


def _welink(doc: Document, shown: int) -> str:
    # Plain text, no markup at all, and short (500 characters assumed): the facts a reader acts on, the health
    # summary without the list of findings, then what to do; the e-mail has the rest.
    lines = [doc.headline, *[f"{label}: {value}" for label, value in doc.facts if label in WELINK_FACTS]]
    if doc.health:
        lines.append(f"Health: {doc.health}")
    lines.append(f"{doc.steps_label}: {_first_sentences(doc.steps)}")
    return "\n".join(lines)


def _first_sentences(text: str, limit: int = 200) -> str:
    """As many whole sentences of ``text`` as fit in ``limit`` characters (at least the first), and a pointer to
    the e-mail if any is left out."""
    sentences = text.split(". ")
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 2 + len(sentence) > limit:
            return f"{kept.rstrip('.')}. The e-mail says more."
        kept = f"{kept}. {sentence}"
    return kept


WELINK_FACTS = frozenset({"Cluster", "Upgrade", "Outcome", "Phase", "Error", "Forced", "Dry run"})


_RENDERERS: dict[str, Callable[[Document, int], str]] = {
    "dingding": _dingding, "wechat": _wechat, "feishu": _feishu, "welink": _welink,
}


def _cut_to_fit(protocol: str, title: str, content: str) -> str:
    """The last resort, the entry cut to its limit: plain text (WeLink) at the limit's last character; markdown
    by whole lines from the end, so that no line's markup is left unpaired."""
    if protocol == "welink":
        kind, limit = LIMITS[protocol]
        assert kind == "content_chars"
        return _wrap(protocol, title, content if len(content) <= limit else content[: limit - 1] + "…")
    lines = content.split("\n")
    while len(lines) > 1 and not fits(protocol, _wrap(protocol, title, "\n".join([*lines, "…"]))):
        lines.pop()
    return _wrap(protocol, title, "\n".join([*lines, "…"]))
