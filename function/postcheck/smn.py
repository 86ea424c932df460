"""Publishing a notification to an SMN topic through the SDK."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .config import Credentials
from .config import topic_project as project_of
from .deadline import Deadline
from .notification import Message
from .policy import Backoff
from .result import Receipt
from .sdk import CallPolicy, client_for, invoke, last_request_id
from .sdkload import service_package

_smn = service_package(
    "huaweicloudsdksmn.v2", ("SmnClient", "PublishMessageRequest", "PublishMessageRequestBody", "MessageAttribute")
)
SmnClient = _smn.SmnClient
PublishMessageRequest = _smn.PublishMessageRequest
PublishMessageRequestBody = _smn.PublishMessageRequestBody
MessageAttribute = _smn.MessageAttribute


class Smn:
    """Publishes to the default topic (``SMN_TOPIC_URN``) or to a routed one (``TOPIC_ROUTES``), each in its own
    project: the project in a topic's URN is the one SMN's path needs, and it may differ from the function's."""

    def __init__(self, client: Any, deadline: Deadline, topic_urn: str,
                 client_in: Callable[[str], Any] | None = None, backoff: Backoff | None = None) -> None:
        self._client = client
        self._deadline = deadline
        self._topic_urn = topic_urn
        self._client_in = client_in
        # The report may use the time kept back for it, with short timeouts of its own.
        self._policy = CallPolicy(max_attempts=3, min_time_for_retry_s=0.5, connect_s=3.0, read_s=10.0,
                                  for_report=True, backoff=backoff or Backoff())

    @classmethod
    def connect(cls, endpoint: str, credentials: Credentials, topic_urn: str, topic_project: str,
                deadline: Deadline, pool_size: int = 10, backoff: Backoff | None = None) -> Smn:
        def client_in(project: str) -> Any:
            # One cached client per project (the SDK puts the project in the path and the signed headers).
            kind = "smn" if project == topic_project else f"smn:{project}"
            return client_for(kind, SmnClient, None, endpoint, credentials, project, pool_size)

        return cls(client_in(topic_project), deadline, topic_urn, client_in, backoff)

    def publish(self, notification: Message, topic_urn: str | None = None) -> Receipt:
        """Publish to ``topic_urn`` (default: the default topic), with the notification's message attributes."""
        topic = topic_urn or self._topic_urn
        client = self._client
        if topic != self._topic_urn and project_of(topic) != project_of(self._topic_urn):
            if self._client_in is None:
                raise ValueError("this publisher reaches only its default topic's project")
            client = self._client_in(project_of(topic))
        # message_attributes: SMN's filter policies match them (PublishMessage; SDK 3.1.219 MessageAttribute).
        attributes = [MessageAttribute(name=name, type="STRING", value=value)
                      for name, value in notification.attributes] or None
        body = PublishMessageRequestBody(
            subject=notification.subject, message_structure=notification.message_structure(),
            message_attributes=attributes,
        )
        request = PublishMessageRequest(topic_urn=topic, body=body)
        answer = invoke(
            client.publish_message_invoker(request),
            "publish_message",
            self._deadline,
            self._policy,
            response_ok=lambda r: bool(getattr(r, "message_id", None)),
        )
        request_id = getattr(answer, "request_id", None) or last_request_id()
        return Receipt(message_id=answer.message_id, request_id=request_id)
