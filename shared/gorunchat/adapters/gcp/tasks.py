"""Cloud Tasks adapter of the ``TaskQueue`` port (``google-cloud-tasks``).

Each task is an HTTP target: a POST of the JSON payload to ``<tasks function URL><path>``,
carrying an OIDC token minted by Cloud Tasks for the invoker service account, which the
tasks function verifies. A ``task_id`` becomes the task's name, so Cloud Tasks itself refuses
a second task of that name (``AlreadyExists``), which this adapter treats as success.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import tasks_v2
from pydantic import BaseModel

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.tasks import QueueName


class CloudTasksQueue:
    """``TaskQueue`` over Cloud Tasks queues (one per purpose, by full resource name)."""

    def __init__(self, client: tasks_v2.CloudTasksClient, queues: Mapping[QueueName, str],
                 target_url: str, invoker_email: str | None, audience: str | None = None
                 ) -> None:
        self._client = client
        self._queues = dict(queues)
        self._target = target_url.rstrip("/")
        self._invoker = invoker_email
        self._audience = audience or self._target

    def _request(self, path: str, payload: BaseModel) -> tasks_v2.HttpRequest:
        fields: dict[str, Any] = {
            "http_method": tasks_v2.HttpMethod.POST, "url": self._target + path,
            "headers": {"Content-Type": "application/json"},
            "body": payload.model_dump_json().encode(),
        }
        if self._invoker:
            fields["oidc_token"] = tasks_v2.OidcToken(service_account_email=self._invoker,
                                                      audience=self._audience)
        return tasks_v2.HttpRequest(**fields)

    def enqueue(self, queue: QueueName, path: str, payload: BaseModel, *,
                task_id: str | None = None, delay_s: float = 0.0) -> str:
        parent = self._queues.get(queue)
        if not parent:
            raise ServiceUnavailable(f"No Cloud Tasks queue is configured for {queue}.",
                                     code="TASK_QUEUE_UNAVAILABLE")
        task = tasks_v2.Task(http_request=self._request(path, payload))
        if task_id:
            task.name = f"{parent}/tasks/{task_id}"
        if delay_s > 0:
            task.schedule_time = datetime.now(UTC) + timedelta(seconds=delay_s)
        try:
            created = self._client.create_task(parent=parent, task=task, timeout=10.0)
        except gexc.AlreadyExists:
            return str(task.name)
        except gexc.GoogleAPIError as exc:
            raise ServiceUnavailable("The task queue is unavailable.",
                                     code="TASK_QUEUE_UNAVAILABLE") from exc
        return str(created.name)


def build_client(endpoint: str | None) -> tasks_v2.CloudTasksClient:
    """A client for Google Cloud, or for an emulator at ``endpoint`` over plain gRPC."""
    if not endpoint:
        return tasks_v2.CloudTasksClient()
    import grpc  # type: ignore[import-untyped]
    from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

    channel = grpc.insecure_channel(endpoint)
    return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
