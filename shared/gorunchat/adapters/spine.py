"""Builders of the audit spine's adapters, chosen by settings (used by ``bootstrap``).

With ``GORUNCHAT_GCP_PROJECT`` set: Cloud Tasks, BigQuery and Cloud Storage. Otherwise the
embedded defaults: the local dispatcher, the file-backed query sink and archive folders under
the data folder. Google client libraries are imported only on the Google path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from gorunchat.contracts.settings import ConfigError, Settings

if TYPE_CHECKING:
    from gorunchat.adapters.gcp.oidc import TaskTokenVerifier
    from gorunchat.adapters.local.dispatcher import LocalDispatcher
    from gorunchat.bootstrap import Container
    from gorunchat.ports.archive import Archive
    from gorunchat.ports.querysink import QuerySink
    from gorunchat.ports.taskqueue import TaskQueue

ArchiveKind = Literal["audit", "exports"]


def local_tasks_url(settings: Settings) -> str:
    """Where the local dispatcher delivers: the gateway of ``gorunchat dev``."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    return f"http://{host}:{settings.port}"


def build_task_queue(settings: Settings, tasks_secret: str) -> TaskQueue:
    audit = settings.audit
    if not audit.on_gcp:
        from gorunchat.adapters.local.dispatcher import LocalDispatcher

        return LocalDispatcher(settings.data_dir / "tasks.sqlite3", local_tasks_url(settings),
                               tasks_secret, max_attempts=audit.taskMaxAttempts,
                               min_backoff_s=audit.taskMinBackoffS,
                               max_backoff_s=audit.taskMaxBackoffS)
    from gorunchat.adapters.gcp.tasks import CloudTasksQueue, build_client

    if not audit.tasksUrl:
        raise ConfigError("GORUNCHAT_TASKS_URL must name the tasks function on Google Cloud")
    queues = {"projection": audit.queueProjection, "retention": audit.queueRetention,
              "exports": audit.queueExports}
    return CloudTasksQueue(build_client(audit.cloudTasksEndpoint),
                           {k: v for k, v in queues.items() if v},  # type: ignore[misc]
                           audit.tasksUrl, audit.tasksInvoker, audit.tasksAudience)


def build_query_sink(settings: Settings) -> QuerySink:
    audit = settings.audit
    if not audit.on_gcp:
        from gorunchat.adapters.local.querysink import LocalQuerySink

        return LocalQuerySink(settings.data_dir / "querysink.sqlite3")
    from gorunchat.adapters.gcp.bigquery import BigQuerySink, build_client

    assert audit.gcpProject is not None
    return BigQuerySink(build_client(audit.gcpProject, audit.bigqueryEndpoint), audit.dataset)


def build_archive(settings: Settings, kind: ArchiveKind) -> Archive:
    audit = settings.audit
    if not audit.on_gcp:
        from gorunchat.adapters.local.archive import LocalArchive

        return LocalArchive(settings.data_dir / ("archive" if kind == "audit" else "exports"))
    from gorunchat.adapters.gcp.archive import GcsArchive, bucket_for

    name = audit.exportsBucket if kind == "exports" and audit.exportsBucket else (
        audit.archiveBucket)
    if not name:
        raise ConfigError("GORUNCHAT_AUDIT_ARCHIVE_BUCKET must be set on Google Cloud")
    return GcsArchive(bucket_for(name, project=audit.gcpProject))


def build_task_verifier(settings: Settings) -> TaskTokenVerifier | None:
    """The OIDC verifier of task calls on Google Cloud; ``None``: the shared secret applies."""
    if not settings.audit.tasksInvoker:
        return None
    from gorunchat.adapters.gcp.oidc import TaskTokenVerifier

    return TaskTokenVerifier(settings.audit.tasksInvoker)


def start_local_spine(container: Container, port: int) -> LocalDispatcher | None:
    """For ``gorunchat dev``: the local dispatcher delivering to the gateway on ``port``,
    with timers that run the projector and the retention job (``None`` on Google Cloud,
    where Cloud Tasks and Cloud Scheduler do this)."""
    settings = container.settings
    if settings.audit.on_gcp:
        return None
    from gorunchat.adapters.local.dispatcher import LocalDispatcher
    from gorunchat.contracts.tasks import (
        PROJECTION_PATH,
        RETENTION_PATH,
        ProjectionTask,
        RetentionTask,
    )

    audit = settings.audit
    dispatcher = LocalDispatcher(settings.data_dir / "tasks.sqlite3", f"http://127.0.0.1:{port}",
                                 container.tasks_secret, max_attempts=audit.taskMaxAttempts,
                                 min_backoff_s=audit.taskMinBackoffS,
                                 max_backoff_s=audit.taskMaxBackoffS)
    container.__dict__["task_queue"] = dispatcher  # what the functions enqueue to
    dispatcher.start()
    dispatcher.every("projection", PROJECTION_PATH, ProjectionTask(), audit.projectionIntervalS)
    dispatcher.every("retention", RETENTION_PATH, RetentionTask(trigger="timer"),
                     audit.retentionIntervalS)
    return dispatcher
