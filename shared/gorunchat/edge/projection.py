"""Keep the audit projection close behind the writes: after an audited mutation succeeds,
ask for a projection of the caller's tenant.

The request is a named task per tenant and time slot (``projection-<tenant>-<slot>``), so
however many mutations land in a slot, Cloud Tasks creates one task; each process also
remembers the slots it has asked for, so a busy function makes at most one queue call per
tenant per slot. The scheduled sweep (Cloud Scheduler, or the local dispatcher's timer)
still runs, so a lost request only delays projection. The mutation has already committed:
failing to enqueue is logged, never turned into an error for the caller.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import TYPE_CHECKING

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.tasks import PROJECTION_PATH, ProjectionTask

if TYPE_CHECKING:
    from gorunchat.edge.context import RequestContext

log = logging.getLogger("gorunchat.edge.projection")
_ASKED: dict[str, int] = {}
_LOCK = threading.Lock()
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _first_in_slot(tenant_id: str, slot: int) -> bool:
    with _LOCK:
        if _ASKED.get(tenant_id) == slot:
            return False
        _ASKED[tenant_id] = slot
        return True


def request_projection(ctx: RequestContext) -> None:
    """Enqueue this tenant's projection once per slot (Google Cloud only: locally the
    dispatcher's timer projects every few seconds already)."""
    audit = ctx.container.settings.audit
    if not audit.on_gcp or ctx.route.audit is None:
        return
    tenant = ctx.tenant_id
    slot = int(time.time() // max(audit.projectionIntervalS, 1.0))
    if not _first_in_slot(tenant, slot):
        return
    name = f"projection-{_UNSAFE.sub('_', tenant)[:100]}-{slot}"
    try:
        ctx.container.task_queue.enqueue("projection", PROJECTION_PATH,
                                         ProjectionTask(tenantId=tenant), task_id=name)
    except ServiceUnavailable:
        log.warning("projection request not queued", extra={"fields": {
            "tenantId": tenant, "requestId": ctx.request_id}})
