"""SMN topics, their tags and subscriptions, through the official SDK (``huaweicloudsdksmn.v2``), for deploy.

Reads: ``list_topics`` (``name``: exact match), then for each topic found ``list_resource_tags`` (``smn_topic``, its
``topic_id``) and ``list_subscriptions_by_topic`` (every page); and ``list_resource_instances`` (SMN's query by tag,
a POST that changes nothing), for the other topics marked for the function (a topic the template no longer names),
with their subscriptions. Writes: the calls ``resources.py`` plans. The API pages are cited in
``scripts/standin/smn_topics.py``, which serves these calls locally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from huaweicloudsdksmn.v2 import (
    AddSubscriptionRequest,
    AddSubscriptionRequestBody,
    CancelSubscriptionRequest,
    CreateResourceTagRequest,
    CreateResourceTagRequestBody,
    CreateTopicRequest,
    CreateTopicRequestBody,
    DeleteResourceTagRequest,
    DeleteTopicRequest,
    ListInstanceRequestBody,
    ListResourceInstancesRequest,
    ListResourceTagsRequest,
    ListSubscriptionsByTopicRequest,
    ListTopicsRequest,
    ResourceTag,
    ResourceTags,
    SmnClient,
    SubscriptionExtension,
    UpdateSubscriptionRequest,
    UpdateSubscriptionRequestBody,
    UpdateTopicRequest,
    UpdateTopicRequestBody,
)

from scripts.deployment.cloud import Keys, basic_credentials, call, http_config
from scripts.deployment.plan import Call
from scripts.deployment.resources import CurrentSubscription, CurrentTopic, mark_tag_keys

PAGE = 100  # ListTopics and ListSubscriptionsByTopic: limit 1-100
INSTANCES_PAGE = 1000  # ListResourceInstances: limit 1-1000

OnRead = Callable[[str, str], None]


def connect(keys: Keys, endpoint: str) -> SmnClient:
    return (SmnClient.new_builder().with_http_config(http_config()).with_credentials(basic_credentials(keys))
            .with_endpoints([endpoint]).build())


class Smn:
    operations = frozenset({"create_topic", "update_topic", "delete_topic", "create_resource_tag",
                            "delete_resource_tag", "add_subscription", "update_subscription", "cancel_subscription"})

    def __init__(self, client: SmnClient) -> None:
        self._client = client

    def read(self, names: Iterable[str], function: str, on_read: OnRead) -> dict[str, CurrentTopic]:
        """The topics of ``names`` that exist, and every other topic marked for ``function``, by name."""
        names = list(names)
        topics = {}
        for name in names:
            found = self._topic(name)
            on_read("list_topics", f"topic {name}: {'found' if found else 'none'}")
            if found is None:
                continue
            tags = call("list_resource_tags", lambda found=found: self._client.list_resource_tags(
                ListResourceTagsRequest(resource_type="smn_topic", resource_id=found.topic_id)))
            tag_map = {t.key: t.value or "" for t in (tags.tags or [])}
            on_read("list_resource_tags", f"topic {name}: {len(tag_map)} tag(s)")
            subscriptions = self._subscriptions(found.topic_urn)
            on_read("list_subscriptions_by_topic", f"topic {name}: {len(subscriptions)} subscription(s)")
            topics[name] = CurrentTopic(name, found.topic_urn, found.topic_id, found.display_name or "", tag_map,
                                        subscriptions)
        marked = [r for r in self._marked(function) if r.resource_name not in names]
        on_read("list_resource_instances", f"{len(marked)} other topic(s) marked for function {function}")
        for resource in marked:
            detail = resource.resource_detail
            urn = detail.topic_urn if detail is not None else ""
            subscriptions = self._subscriptions(urn)
            on_read("list_subscriptions_by_topic", f"topic {resource.resource_name}: {len(subscriptions)} "
                                                   "subscription(s)")
            topics[resource.resource_name] = CurrentTopic(
                resource.resource_name, urn, resource.resource_id, (detail.display_name if detail else "") or "",
                {t.key: t.value or "" for t in resource.tags or []}, subscriptions)
        return topics

    def _marked(self, function: str) -> list[Any]:
        """The topics whose tags mark them for ``function``: ListResourceInstances, ``tags_any`` of its two keys."""
        found: list[Any] = []
        while True:
            body = ListInstanceRequestBody(action="filter", limit=str(INSTANCES_PAGE), offset=str(len(found)),
                                           tags_any=[ResourceTags(key=key, values=[function])
                                                     for key in mark_tag_keys(function)])
            answer = call("list_resource_instances", lambda body=body: self._client.list_resource_instances(
                ListResourceInstancesRequest(resource_type="smn_topic", body=body)))
            page = answer.resources or []
            found += page
            if len(page) < INSTANCES_PAGE or len(found) >= (answer.total_count or 0):
                return [r for r in found if r.resource_name]

    def _topic(self, name: str) -> Any | None:
        answer = call("list_topics", lambda: self._client.list_topics(ListTopicsRequest(name=name, limit=PAGE)))
        return next((t for t in answer.topics or [] if t.name == name), None)

    def _subscriptions(self, urn: str) -> tuple[CurrentSubscription, ...]:
        found: list[CurrentSubscription] = []
        offset = 0
        while True:
            answer = call("list_subscriptions_by_topic", lambda offset=offset: self._client.list_subscriptions_by_topic(
                ListSubscriptionsByTopicRequest(topic_urn=urn, offset=offset, limit=PAGE)))
            page = answer.subscriptions or []
            found += [CurrentSubscription(s.subscription_urn, s.protocol, s.endpoint or "", s.remark or "", s.status)
                      for s in page]
            offset += len(page)
            if len(page) < PAGE or offset >= (answer.subscription_count or 0):
                return tuple(found)

    def send(self, planned: Call, params: dict[str, str]) -> str | None:
        """Send one planned call; the ID it produces (a created topic's ``topic_id``), else None."""
        body = planned.body or {}
        client = self._client
        if planned.operation == "create_topic":
            call("create_topic", lambda: client.create_topic(CreateTopicRequest(body=CreateTopicRequestBody(
                name=body["name"], display_name=body["display_name"]))))
            created = self._topic(body["name"])  # CreateTopic answers the URN only: the tag needs the topic's ID
            return created.topic_id if created is not None else None
        requests: dict[str, Callable[[], Any]] = {
            "update_topic": lambda: client.update_topic(UpdateTopicRequest(
                topic_urn=params["topic_urn"], body=UpdateTopicRequestBody(display_name=body["display_name"]))),
            "delete_topic": lambda: client.delete_topic(DeleteTopicRequest(topic_urn=params["topic_urn"])),
            "create_resource_tag": lambda: client.create_resource_tag(CreateResourceTagRequest(
                resource_type=params["resource_type"], resource_id=params["resource_id"],
                body=CreateResourceTagRequestBody(tag=ResourceTag(**body["tag"])))),
            "add_subscription": lambda: client.add_subscription(AddSubscriptionRequest(
                topic_urn=params["topic_urn"], body=AddSubscriptionRequestBody(
                    protocol=body["protocol"], endpoint=body["endpoint"], remark=body["remark"],
                    extension=SubscriptionExtension(**body["extension"]) if body.get("extension") else None))),
            "cancel_subscription": lambda: client.cancel_subscription(CancelSubscriptionRequest(
                subscription_urn=params["subscription_urn"])),
            "update_subscription": lambda: client.update_subscription(UpdateSubscriptionRequest(
                topic_urn=params["topic_urn"], subscription_urn=params["subscription_urn"],
                body=UpdateSubscriptionRequestBody(remark=body["remark"]))),
            "delete_resource_tag": lambda: client.delete_resource_tag(DeleteResourceTagRequest(
                resource_type=params["resource_type"], resource_id=params["resource_id"], key=params["key"])),
        }
        call(planned.operation, requests[planned.operation])
        return None
