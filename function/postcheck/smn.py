"""Publishing a notification to the SMN topic through the SDK."""

from __future__ import annotations

from typing import Any

from .config import Credentials
from .deadline import Deadline
from .notification import Notification
from .result import Notification as Sent
from .sdk import CallPolicy, client_for, invoke, last_request_id
from .sdkload import service_package

_smn = service_package("huaweicloudsdksmn.v2", ("SmnClient", "PublishMessageRequest", "PublishMessageRequestBody"))
SmnClient = _smn.SmnClient
PublishMessageRequest = _smn.PublishMessageRequest
PublishMessageRequestBody = _smn.PublishMessageRequestBody


class Smn:
    def __init__(self, client: Any, deadline: Deadline, topic_urn: str) -> None:
        self._client = client
        self._deadline = deadline
        self._topic_urn = topic_urn

    @classmethod
    def connect(cls, endpoint: str, credentials: Credentials, topic_urn: str, topic_project: str,
                deadline: Deadline, pool_size: int = 10) -> Smn:
        # The topic's project (in its URN) is the one SMN's path needs; it may differ from the function's.
        client = client_for("smn", SmnClient, None, endpoint, credentials, topic_project, pool_size)
        return cls(client, deadline, topic_urn)

    def publish(self, notification: Notification) -> Sent:
        body = PublishMessageRequestBody(
            subject=notification.subject, message_structure=notification.message_structure()
        )
        request = PublishMessageRequest(topic_urn=self._topic_urn, body=body)
        answer = invoke(
            self._client.publish_message_invoker(request),
            "publish_message",
            self._deadline,
            # The report may use the time kept back for it, with short timeouts of its own.
            CallPolicy(max_attempts=3, min_time_for_retry_s=0.5, connect_s=3.0, read_s=10.0, for_report=True),
            response_ok=lambda r: bool(getattr(r, "message_id", None)),
        )
        return Sent(message_id=answer.message_id, request_id=getattr(answer, "request_id", None) or last_request_id())
