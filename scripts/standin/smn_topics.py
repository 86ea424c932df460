"""SMN topics, subscriptions and topic tags, as the deploy command uses them (the publish route is in api.py).

Operations (``huaweicloudsdksmn.v2`` names; paths under ``/v2/{project_id}``), each modelled on SMN's API reference:

===============================  ======  ==================================================  ====================
operation                        method  path                                                reference
===============================  ======  ==================================================  ====================
create_topic                     POST    ``/notifications/topics``                           CreateTopic [1]
list_topics                      GET     ``/notifications/topics``                           ListTopics [2]
update_topic                     PUT     ``/notifications/topics/{topic_urn}``               UpdateTopic [3]
delete_topic                     DELETE  ``/notifications/topics/{topic_urn}``               DeleteTopic [3]
add_subscription                 POST    ``/notifications/topics/{topic_urn}/subscriptions``  AddSubscription [4]
list_subscriptions_by_topic      GET     ``/notifications/topics/{topic_urn}/subscriptions``  [5]
cancel_subscription              DELETE  ``/notifications/subscriptions/{subscription_urn}``  CancelSubscription
update_subscription              PUT     ``/notifications/topics/{topic_urn}/subscriptions/  UpdateSubscription
                                         {subscription_urn}``                                [8]
create_resource_tag              POST    ``/{resource_type}/{resource_id}/tags``              CreateResourceTag [6]
list_resource_tags               GET     ``/{resource_type}/{resource_id}/tags``              ListResourceTags [7]
delete_resource_tag              DELETE  ``/{resource_type}/{resource_id}/tags/{key}``        DeleteResourceTag [9]
list_resource_instances          POST    ``/{resource_type}/resource_instances/action``       ListResourceInstances
                                                                                             [10]
===============================  ======  ==================================================  ====================

[1] https://support.huaweicloud.com/intl/en-us/api-smn/smn_api_51001.html: ``name`` 1-255 letters, digits, ``-``,
    ``_``, starting with a letter or digit; ``display_name`` mandatory, at most 192 bytes; idempotent: 201 when
    created, 200 with the existing topic's URN when a topic of that name exists.
[2] https://support.huaweicloud.com/api-smn/smn_api_51004.html: ``offset`` (default 0), ``limit`` 1-100 (default
    100), ``name`` (exact match), ``fuzzy_name``, ``topic_id`` (exact); newest topic first; ``topic_count``.
[3] SMN API reference, "Updating a Topic" (``display_name``) and "Deleting a Topic"
    (https://support.huaweicloud.com/intl/en-us/api-smn/smn_api_51002.html, .../smn_api_51003.html).
[4] https://support.huaweicloud.com/intl/en-us/api-smn/AddSubscription.html and the Chinese edition
    https://support.huaweicloud.com/api-smn/AddSubscription.html (the one that lists the chat protocols ``wechat``,
    ``dingding``, ``feishu``, ``welink``): ``remark`` at most 128 bytes; idempotent: 201 when added, 200 when that
    subscription exists; an http(s) endpoint starts with ``http://`` / ``https://``, an e-mail one is an address,
    an SMS one a phone number, a WeLink one a group number with ``extension.client_id`` and ``client_secret``.
[5] SMN API reference, "Querying Subscriptions of a Topic": ``offset``, ``limit`` 1-100; each subscription's
    ``protocol``, ``endpoint``, ``remark``, ``status`` (0 unconfirmed, 1 confirmed, 2 no confirmation needed,
    3 cancelled, 4 deleted), ``owner``, ``subscription_urn``.
[6] https://support.huaweicloud.com/en-us/api-smn/CreateResourceTag.html: ``resource_type`` ``smn_topic``; at most
    10 tags; a tag with an existing key replaces it (idempotent).
[7] SMN API reference, "Querying Resource Tags": ``{"tags": [{"key", "value"}]}``.
[8] https://support.huaweicloud.com/intl/en-us/api-smn/UpdateSubscription.html: the subscriber's ``remark`` only,
    mandatory, 1-128 bytes; ``{"request_id", "subscription_urn"}``.
[9] SMN API reference, "Deleting a Resource Tag" (huaweicloudsdksmn's DeleteResourceTag: idempotent, a key that does
    not exist is a 404).
[10] https://support.huaweicloud.com/en-us/api-smn/ListResourceInstances.html ("Querying Resources by Tag"):
    ``action`` ``filter`` or ``count``; ``tags`` (every key must match: AND), ``tags_any`` (any key: OR), each
    ``{"key", "values"}`` (an empty ``values``: any value); ``limit`` 1-1000 (default 1000) and ``offset`` as
    strings; ``{"resources": [{"resource_id", "resource_name", "resource_detail": {"topic_urn", "display_name",
    ...}, "tags": [{"key", "value"}]}], "total_count"}``.

The stand-in's assumptions (not settled by the pages above): a topic's ``resource_id`` for tags is its ``topic_id``
(the page says to look it up with GetResourceInstances, whose answer the SDK's ListTopics ``topic_id`` matches);
the chat protocols are offered only in the Chinese mainland regions (``cn-*``), the ones whose API reference lists
them (SMN calls them an open beta in some regions); a chat subscription needs no confirmation (status 2), the others
start unconfirmed (0); answers of create/add are 201/200 as documented, deletes and updates 200 with the request ID,
a created tag 204.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scripts.standin import replies, routes
from scripts.standin.replies import Reply, json_reply
from scripts.standin.request_parts import Rejected
from scripts.standin.request_parts import first_values as _first_values
from scripts.standin.request_parts import json_body as _json_body
from scripts.standin.request_parts import text as _text

SMN = routes.SMN
TOPIC_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
MAX_DISPLAY_NAME_BYTES = 192
MAX_REMARK_BYTES = 128
MAX_TAGS = 10
MAX_LIMIT = 100
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
# Protocols and what their endpoint is (AddSubscription [4]); the deploy command uses these.
PLAIN_PROTOCOLS = ("email", "sms", "http", "https")
CHAT_PROTOCOLS = ("dingding", "wechat", "feishu", "welink")
STATUS_UNCONFIRMED, STATUS_CONFIRMED, STATUS_NO_CONFIRMATION = 0, 1, 2


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Subscription:
    urn: str
    topic_urn: str
    protocol: str
    endpoint: str
    remark: str
    status: int
    owner: str
    extension: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"topic_urn": self.topic_urn, "protocol": self.protocol, "subscription_urn": self.urn,
                "owner": self.owner, "endpoint": self.endpoint, "remark": self.remark, "status": self.status}


@dataclass
class Topic:
    name: str
    urn: str
    topic_id: str
    display_name: str
    created: str
    updated: str
    order: int
    tags: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"topic_urn": self.urn, "name": self.name, "display_name": self.display_name, "push_policy": 0,
                "enterprise_project_id": "0", "topic_id": self.topic_id, "create_time": self.created,
                "update_time": self.updated}


class SmnTopicsState:
    """The project's topics (the scenario's exist from the start, untagged, with no subscriptions)."""

    def __init__(self, project_id: str, region: str, existing: Iterable[str] = ()) -> None:
        self.project_id = project_id
        self.region = region
        self.chat_protocols = region.startswith("cn-")  # see the module's assumptions
        self._topics: dict[str, Topic] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._order = 0
        self._lock = threading.Lock()
        for urn in existing:
            self._add_topic(urn.rsplit(":", 1)[1], urn.rsplit(":", 1)[1], urn)

    def urn_of(self, name: str) -> str:
        return f"urn:smn:{self.region}:{self.project_id}:{name}"

    def _add_topic(self, name: str, display_name: str, urn: str | None = None) -> Topic:
        self._order += 1
        now = _now()
        topic = Topic(name, urn or self.urn_of(name), uuid.uuid4().hex, display_name, now, now, self._order)
        self._topics[topic.urn] = topic
        return topic

    def apply(self, change: Callable[[], Any]) -> Any:
        with self._lock:
            return change()

    def topic(self, urn: str) -> Topic:
        found = self._topics.get(urn)
        if found is None:
            raise Rejected(404, f"Topic not found: {urn}.")
        return found

    @property
    def topic_urns(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._topics)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every topic by name: its answer, tags and subscriptions (for tests)."""
        with self._lock:
            return {
                topic.name: {**topic.body(), "tags": dict(topic.tags),
                             "subscriptions": [s.body() for s in self._subscriptions.values()
                                               if s.topic_urn == topic.urn]}
                for topic in self._topics.values()
            }

    def add_existing_subscription(self, topic_urn: str, protocol: str, endpoint: str, remark: str = "") -> str:
        """A subscription someone else made (for tests): returns its URN."""
        with self._lock:
            topic = self.topic(topic_urn)
            subscription = Subscription(f"{topic.urn}:{uuid.uuid4().hex}", topic.urn, protocol, endpoint, remark,
                                        STATUS_CONFIRMED, self.project_id)
            self._subscriptions[subscription.urn] = subscription
            return subscription.urn


class SmnTopicsApi:
    def __init__(self, state: SmnTopicsState) -> None:
        self.state = state
        self.operations: dict[str, Callable[[Any, dict[str, str], dict[str, str]], tuple[int, Any]]] = {
            "create_topic": self._create_topic,
            "list_topics": self._list_topics,
            "update_topic": self._update_topic,
            "delete_topic": self._delete_topic,
            "add_subscription": self._add_subscription,
            "list_subscriptions_by_topic": self._list_subscriptions,
            "cancel_subscription": self._cancel_subscription,
            "update_subscription": self._update_subscription,
            "create_resource_tag": self._create_tag,
            "list_resource_tags": self._list_tags,
            "delete_resource_tag": self._delete_tag,
            "list_resource_instances": self._list_instances,
        }

    def handle(self, operation: str, raw_body: bytes, params: dict[str, str], query: str, request_id: str) -> Reply:
        try:
            body = _json_body(raw_body) if operation in _WITH_BODY else None
            status, answer = self.operations[operation](body, params, _first_values(query))
        except Rejected as rejected:
            return replies.error(SMN, rejected.status, rejected.message, request_id)
        if answer is None:
            return Reply(status, b"", request_id)
        if isinstance(answer, dict) and status != 204:
            answer = {"request_id": request_id, **answer}
        return json_reply(status, answer, request_id)

    # -- topics ---------------------------------------------------------------------------------------

    def _create_topic(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        name = _text(body, "name", required=True)
        if not TOPIC_NAME_RE.fullmatch(name):
            raise Rejected(400, f"Invalid topic name {name!r}: 1-255 letters, digits, - and _, starting with a "
                                "letter or digit.")
        display_name = _display_name(body)
        state = self.state

        def create() -> tuple[int, Any]:
            urn = state.urn_of(name)
            if urn in state._topics:  # idempotent: the existing topic, 200
                return 200, {"topic_urn": urn}
            return 201, {"topic_urn": state._add_topic(name, display_name).urn}

        return state.apply(create)

    def _list_topics(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        offset, limit = _paging(query)
        state = self.state

        def listing() -> tuple[int, Any]:
            topics = sorted(state._topics.values(), key=lambda t: -t.order)  # newest first
            for key, test in (("name", lambda t, v: t.name == v), ("fuzzy_name", lambda t, v: v in t.name),
                              ("topic_id", lambda t, v: t.topic_id == v)):
                if query.get(key):
                    topics = [t for t in topics if test(t, query[key])]
            return 200, {"topic_count": len(topics), "topics": [t.body() for t in topics[offset:offset + limit]]}

        return state.apply(listing)

    def _update_topic(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        display_name = _display_name(body)
        state = self.state

        def update() -> tuple[int, Any]:
            topic = state.topic(params["topic_urn"])
            topic.display_name, topic.updated = display_name, _now()
            return 200, {}

        return state.apply(update)

    def _delete_topic(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def delete() -> tuple[int, Any]:
            topic = state.topic(params["topic_urn"])
            del state._topics[topic.urn]
            for urn in [u for u, s in state._subscriptions.items() if s.topic_urn == topic.urn]:
                del state._subscriptions[urn]  # a topic's subscriptions go with it
            return 200, {}

        return state.apply(delete)

    # -- subscriptions --------------------------------------------------------------------------------

    def _add_subscription(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        protocol = _text(body, "protocol", required=True)
        endpoint = _text(body, "endpoint", required=True)
        remark = _text(body, "remark")
        if len(remark.encode("utf-8")) > MAX_REMARK_BYTES:
            raise Rejected(400, f"remark is longer than {MAX_REMARK_BYTES} bytes.")
        extension = body.get("extension") or {}
        if not isinstance(extension, dict):
            raise Rejected(400, "extension must be an object.")
        _check_endpoint(protocol, endpoint, extension, self.state)
        state = self.state

        def add() -> tuple[int, Any]:
            topic = state.topic(params["topic_urn"])
            for existing in state._subscriptions.values():
                if (existing.topic_urn, existing.protocol, existing.endpoint) == (topic.urn, protocol, endpoint):
                    return 200, {"subscription_urn": existing.urn}  # idempotent
            status = STATUS_NO_CONFIRMATION if protocol in CHAT_PROTOCOLS else STATUS_UNCONFIRMED
            subscription = Subscription(f"{topic.urn}:{uuid.uuid4().hex}", topic.urn, protocol, endpoint, remark,
                                        status, state.project_id, copy.deepcopy(extension))
            state._subscriptions[subscription.urn] = subscription
            return 201, {"subscription_urn": subscription.urn}

        return state.apply(add)

    def _list_subscriptions(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        offset, limit = _paging(query)
        state = self.state

        def listing() -> tuple[int, Any]:
            topic = state.topic(params["topic_urn"])
            found = [s.body() for s in state._subscriptions.values() if s.topic_urn == topic.urn]
            return 200, {"subscription_count": len(found), "subscriptions": found[offset:offset + limit]}

        return state.apply(listing)

    def _cancel_subscription(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        state = self.state

        def cancel() -> tuple[int, Any]:
            if state._subscriptions.pop(params["subscription_urn"], None) is None:
                raise Rejected(404, f"Subscription not found: {params['subscription_urn']}.")
            return 200, {}

        return state.apply(cancel)

    def _update_subscription(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        remark = _text(body, "remark", required=True)
        if not 1 <= len(remark.encode("utf-8")) <= MAX_REMARK_BYTES:
            raise Rejected(400, f"remark must be 1 to {MAX_REMARK_BYTES} bytes.")
        state = self.state

        def update() -> tuple[int, Any]:
            topic = state.topic(params["topic_urn"])
            found = state._subscriptions.get(params["subscription_urn"])
            if found is None or found.topic_urn != topic.urn:
                raise Rejected(404, f"Subscription not found: {params['subscription_urn']}.")
            found.remark = remark
            return 200, {"subscription_urn": found.urn}

        return state.apply(update)

    # -- tags -----------------------------------------------------------------------------------------

    def _tagged_topic(self, params: dict[str, str]) -> Topic:
        if params["resource_type"] != "smn_topic":
            raise Rejected(400, f"resource_type {params['resource_type']!r}: the stand-in serves smn_topic only.")
        for topic in self.state._topics.values():
            if topic.topic_id == params["resource_id"]:
                return topic
        raise Rejected(404, f"Resource not found: topic {params['resource_id']}.")

    def _create_tag(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        tag = body.get("tag")
        if not isinstance(tag, dict) or set(tag) - {"key", "value"}:
            raise Rejected(400, "tag must be an object with key and value.")
        key, value = _text(tag, "key", required=True), _text(tag, "value")
        if not 1 <= len(key) <= 128 or len(value) > 255 or key != key.strip():
            raise Rejected(400, "A tag key is 1-128 characters without leading or trailing spaces; a value at most "
                                "255 characters.")

        def create() -> tuple[int, Any]:
            topic = self._tagged_topic(params)
            if key not in topic.tags and len(topic.tags) >= MAX_TAGS:
                raise Rejected(400, f"A resource has at most {MAX_TAGS} tags.")
            topic.tags[key] = value
            return 204, None

        return self.state.apply(create)

    def _list_tags(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        def listing() -> tuple[int, Any]:
            topic = self._tagged_topic(params)
            return 200, {"tags": [{"key": k, "value": v} for k, v in topic.tags.items()]}

        return self.state.apply(listing)

    def _delete_tag(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        def delete() -> tuple[int, Any]:
            topic = self._tagged_topic(params)
            if topic.tags.pop(params["key"], None) is None:
                raise Rejected(404, f"Tag not found: {params['key']}.")
            return 204, None

        return self.state.apply(delete)

    def _list_instances(self, body: Any, params: dict[str, str], query: dict[str, str]) -> tuple[int, Any]:
        if params["resource_type"] != "smn_topic":
            raise Rejected(400, f"resource_type {params['resource_type']!r}: the stand-in serves smn_topic only.")
        action = body.get("action")
        if action not in ("filter", "count"):
            raise Rejected(400, "action must be filter or count.")
        every, some = _tag_filters(body, "tags"), _tag_filters(body, "tags_any")
        offset, limit = _text(body, "offset") or "0", _text(body, "limit") or "1000"
        if not (offset.isdigit() and limit.isdigit()) or not 1 <= int(limit) <= 1000:
            raise Rejected(400, "offset must be 0 or more and limit 1 to 1000.")

        def matches(tags: dict[str, str], key: str, values: list[str]) -> bool:
            return key in tags and (not values or tags[key] in values)

        def listing() -> tuple[int, Any]:
            found = [t for t in sorted(self.state._topics.values(), key=lambda t: t.order)
                     if all(matches(t.tags, k, v) for k, v in every)
                     and (not some or any(matches(t.tags, k, v) for k, v in some))]
            if action == "count":
                return 200, {"total_count": len(found)}
            return 200, {"total_count": len(found), "resources": [
                {"resource_id": t.topic_id, "resource_name": t.name,
                 "resource_detail": {"topic_urn": t.urn, "display_name": t.display_name,
                                     "enterprise_project_id": "0", "detailId": ""},
                 "tags": [{"key": k, "value": v} for k, v in t.tags.items()]}
                for t in found[int(offset):int(offset) + int(limit)]]}

        return self.state.apply(listing)


_WITH_BODY = frozenset({"create_topic", "update_topic", "add_subscription", "update_subscription",
                        "create_resource_tag", "list_resource_instances"})


def _tag_filters(body: dict[str, Any], field_name: str) -> list[tuple[str, list[str]]]:
    """ListResourceInstances' ``tags`` or ``tags_any``: at most 10 keys of at most 10 values each [10]."""
    value = body.get(field_name) or []
    if not isinstance(value, list) or len(value) > 10:
        raise Rejected(400, f"{field_name} must be a list of at most 10 tags.")
    filters = []
    for item in value:
        values = item.get("values") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not _text(item, "key") or not isinstance(values, list) or len(values) > 10:
            raise Rejected(400, f"{field_name}: each tag needs a key and at most 10 values.")
        filters.append((item["key"], [str(v) for v in values]))
    return filters


def _display_name(body: dict[str, Any]) -> str:
    display_name = _text(body, "display_name", required=True)
    if not display_name or len(display_name.encode("utf-8")) > MAX_DISPLAY_NAME_BYTES:
        raise Rejected(400, f"display_name must be 1 to {MAX_DISPLAY_NAME_BYTES} bytes.")
    return display_name


def _paging(query: dict[str, str]) -> tuple[int, int]:
    offset, limit = query.get("offset", "0") or "0", query.get("limit", str(MAX_LIMIT)) or str(MAX_LIMIT)
    if not (offset.isdigit() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:
        raise Rejected(400, f"offset must be 0 or more and limit 1 to {MAX_LIMIT}.")
    return int(offset), int(limit)


def _check_endpoint(protocol: str, endpoint: str, extension: dict[str, Any], state: SmnTopicsState) -> None:
    if protocol in CHAT_PROTOCOLS and not state.chat_protocols:
        raise Rejected(400, f"protocol {protocol} is not supported in region {state.region}.")
    if protocol not in PLAIN_PROTOCOLS + CHAT_PROTOCOLS:
        served = ", ".join(PLAIN_PROTOCOLS + CHAT_PROTOCOLS)
        raise Rejected(400, f"protocol {protocol!r}: the stand-in serves {served}.")
    valid = {
        "email": EMAIL_RE.fullmatch(endpoint) is not None,
        "sms": PHONE_RE.fullmatch(endpoint) is not None,
        "http": endpoint.startswith("http://"),
        "https": endpoint.startswith("https://"),
        # a DingTalk endpoint is a custom robot's address or, for an enterprise robot, an openConversationId
        # that must not start with http:// or https://
        "dingding": endpoint.startswith("https://") or not endpoint.startswith("http"),
        "wechat": endpoint.startswith("https://"),
        "feishu": endpoint.startswith("https://"),
        "welink": endpoint.isdigit(),
    }[protocol]
    if not valid:
        raise Rejected(400, f"Invalid endpoint for protocol {protocol}.")
    if protocol == "welink" and not (extension.get("client_id") and extension.get("client_secret")):
        raise Rejected(400, "A welink subscription needs extension.client_id and extension.client_secret.")


__all__ = ["CHAT_PROTOCOLS", "PLAIN_PROTOCOLS", "SmnTopicsApi", "SmnTopicsState"]
