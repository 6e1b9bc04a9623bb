"""BigQuery adapter of the ``QuerySink`` port (``google-cloud-bigquery``).

Rows are streamed with ``tabledata.insertAll`` and each row's insert id is the record id,
so BigQuery drops a row it has already received when the projector replays a batch. That
deduplication is best effort over a window of minutes; rows replayed later than that can
appear twice, so queries that must count exactly select ``DISTINCT id`` (the archive in
Cloud Storage, written once per record, is the record of truth). Tables are partitioned by
day on ``ts`` and clustered by tenant, as Terraform creates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import bigquery
from requests import RequestException

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.querysink import AUDIT_TABLE, DISCOVERY_TABLE, SinkRow

_ACTOR = bigquery.SchemaField("actor", "RECORD", mode="NULLABLE", fields=[
    bigquery.SchemaField(name, "STRING") for name in ("userId", "role", "ip", "requestId")])

SCHEMAS: dict[str, list[bigquery.SchemaField]] = {
    AUDIT_TABLE: [
        bigquery.SchemaField("id", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("tenantId", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("seq", "INT64", mode="REQUIRED"),
        bigquery.SchemaField("ts", "TIMESTAMP", mode="REQUIRED"),
        bigquery.SchemaField("action", "STRING", mode="REQUIRED"),
        _ACTOR,
        *(bigquery.SchemaField(n, "STRING") for n in ("targetType", "targetId", "outcome")),
        bigquery.SchemaField("metadata", "JSON"),
        bigquery.SchemaField("prevHash", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("hash", "STRING", mode="REQUIRED"),
    ],
    DISCOVERY_TABLE: [
        bigquery.SchemaField("id", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("tenantId", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("ts", "TIMESTAMP", mode="REQUIRED"),
        bigquery.SchemaField("kind", "STRING", mode="REQUIRED"),
        *(bigquery.SchemaField(n, "STRING") for n in ("userId", "conversationId",
                                                      "messageId")),
        bigquery.SchemaField("content", "JSON"),
    ],
}


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("The query sink (BigQuery) is unavailable.",
                              code="QUERY_SINK_UNAVAILABLE")


class BigQuerySink:
    """``QuerySink`` over one BigQuery dataset (tables ``audit`` and ``discovery``)."""

    def __init__(self, client: bigquery.Client, dataset: str, location: str | None = None,
                 retry_deadline_s: float = 30.0) -> None:
        self._client = client
        # Bounded: the task queue retries the whole projection with backoff anyway.
        self._retry = bigquery.DEFAULT_RETRY.with_deadline(retry_deadline_s)
        self._dataset = f"{client.project}.{dataset}"
        self._location = location

    def _table(self, name: str) -> str:
        return f"{self._dataset}.{name}"

    def ensure(self) -> None:
        dataset = bigquery.Dataset(self._dataset)
        if self._location:
            dataset.location = self._location
        try:
            self._client.create_dataset(dataset, exists_ok=True, timeout=30, retry=self._retry)
            for name, schema in SCHEMAS.items():
                table = bigquery.Table(self._table(name), schema=schema)
                table.time_partitioning = bigquery.TimePartitioning(field="ts")
                table.clustering_fields = ["tenantId"]
                self._client.create_table(table, exists_ok=True, timeout=30,
                                          retry=self._retry)
        except (gexc.GoogleAPIError, RequestException) as exc:
            raise _unavailable() from exc

    def insert(self, table: str, rows: Sequence[SinkRow]) -> None:
        if table not in SCHEMAS:
            raise ValueError(f"unknown sink table {table}")
        if not rows:
            return
        payload: list[dict[str, Any]] = [r.model_dump(mode="json") for r in rows]
        try:
            try:
                errors = self._insert(table, payload, rows)
            except gexc.NotFound:
                self.ensure()  # a fresh project: Terraform normally creates the tables
                errors = self._insert(table, payload, rows)
        except (gexc.GoogleAPIError, RequestException) as exc:
            raise _unavailable() from exc
        if errors:
            raise ServiceUnavailable(f"BigQuery refused {len(errors)} rows: {errors[:3]}",
                                     code="QUERY_SINK_REJECTED")


    def _insert(self, table: str, payload: list[dict[str, Any]], rows: Sequence[SinkRow]
                ) -> Sequence[dict[str, Any]]:
        return self._client.insert_rows_json(self._table(table), payload,
                                             row_ids=[r.id for r in rows], timeout=60,
                                             retry=self._retry)


def build_client(project: str, endpoint: str | None) -> bigquery.Client:
    """A client for Google Cloud, or anonymous against a local server at ``endpoint``."""
    if not endpoint:
        return bigquery.Client(project=project)
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    return bigquery.Client(project=project, credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                           client_options=ClientOptions(api_endpoint=endpoint))
