"""Presets: list, save (create or update by ``presetId``) and delete a user's presets.

Behaviour follows LibreChat's ``getPresets``/``savePreset``/``deletePresets``:

* the list is sorted by ``order`` (absent counts as 10000), then most recently updated first;
* saving merges the sent fields into the caller's preset with that ``presetId`` (a new one
  when there is none; the id is minted when absent); ``newPresetId`` renames it;
* ``defaultPreset: true`` makes it the caller's only default, at ``order`` 0 (the previous
  default loses both fields); ``defaultPreset: false`` clears both on this preset;
* deleting without a ``presetId`` deletes all of the caller's presets.

A ``presetId`` is unique per tenant (LibreChat's index), so a save naming another user's
preset is refused (409) and changes nothing of theirs; it is never found or deleted for them.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import Conflict, PayloadTooLarge
from gorunchat.contracts.presets import (
    MAX_PRESET_BYTES,
    DeletePresetsRequest,
    DeletePresetsResult,
    Preset,
    PresetView,
    SavePresetRequest,
    document_size,
)
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.store import Repository, Store, UnitOfWork
from gorunchat.services.caller import Caller

#: Where a preset without ``order`` sorts (LibreChat's default).
UNORDERED = 10_000


def _presets(uow: UnitOfWork) -> Repository[Preset]:
    return uow.repo(Preset)


def sort_key(preset: Preset) -> tuple[int, float]:
    order = preset.order if preset.order is not None else UNORDERED
    return order, -preset.updatedAt.timestamp()


def list_presets(store: Store, caller: Caller) -> list[PresetView]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        found = _presets(uow).find({"user": caller.user_id})
    return [PresetView.of(p) for p in sorted(found, key=sort_key)]


def _id_taken() -> Conflict:
    return Conflict("A preset with this presetId already exists.", code="PRESET_ID_TAKEN")


def _own(uow: UnitOfWork, caller: Caller, preset_id: str) -> Preset | None:
    """The caller's preset ``preset_id``; ``Conflict`` if the id is another user's."""
    found = _presets(uow).get(preset_id)
    if found is not None and found.user != caller.user_id:
        raise _id_taken()
    return found


def _merged(existing: Preset | None, caller: Caller, preset_id: str,
            body: SavePresetRequest) -> dict[str, Any]:
    fields = body.fields()
    if fields.get("title", "") is None:
        del fields["title"]  # the title is never null (LibreChat's default "New Chat")
    base = existing.to_doc() if existing else {}
    doc: dict[str, Any] = {**base, **fields, "presetId": preset_id, "user": caller.user_id,
                           "tenantId": caller.tenant_id, "updatedAt": utcnow()}
    if body.defaultPreset is True:
        doc.update(defaultPreset=True, order=0)
    elif body.defaultPreset is False:
        doc.update(defaultPreset=None, order=None)
    return doc


def save(store: Store, caller: Caller, body: SavePresetRequest) -> PresetView:
    """Create or update the caller's preset ``body.presetId`` (LibreChat's upsert)."""
    preset_id = body.presetId or new_uuid()
    with store.unit_of_work(caller.tenant_id) as uow:
        existing = _own(uow, caller, preset_id)
        target_id = body.newPresetId or preset_id
        if target_id != preset_id and _presets(uow).get(target_id) is not None:
            raise _id_taken()
        doc = _merged(existing, caller, target_id, body)
        size = document_size(doc)
        if size > MAX_PRESET_BYTES:
            raise PayloadTooLarge(f"A preset may hold at most {MAX_PRESET_BYTES} bytes; this "
                                  f"one would hold {size}.", code="PRESET_TOO_LARGE")
        preset = Preset.model_validate(doc)
        if preset.defaultPreset:
            # LibreChat's $unset of the previous default: the fields become null.
            for other in _presets(uow).find({"user": caller.user_id, "defaultPreset": True}):
                if other.presetId not in (preset_id, target_id):
                    _presets(uow).update(other.presetId, {"defaultPreset": None,
                                                          "order": None})
        if existing is not None and target_id == preset_id:
            _presets(uow).save(preset)
        else:  # a new id: insert, so a racing save of the same id by anyone is a 409
            _presets(uow).insert(preset)
            if existing is not None:
                _presets(uow).delete(preset_id)
        uow.record(AuditEvent(
            action="preset.save", actor=caller.actor, targetType="preset",
            targetId=preset.presetId,
            metadata={"created": existing is None, "title": preset.title,
                      "previousPresetId": preset_id if target_id != preset_id else None,
                      "defaultPreset": bool(preset.defaultPreset),
                      "fields": sorted(body.fields())}))
        uow.commit()
    return PresetView.of(preset)


def delete(store: Store, caller: Caller, body: DeletePresetsRequest) -> DeletePresetsResult:
    """Delete the caller's preset ``body.presetId``, or all of their presets without one."""
    where: dict[str, Any] = {"user": caller.user_id}
    if body.presetId:
        where["presetId"] = body.presetId
    with store.unit_of_work(caller.tenant_id) as uow:
        deleted = _presets(uow).delete_many(where)
        uow.record(AuditEvent(
            action="preset.delete", actor=caller.actor, targetType="preset",
            targetId=body.presetId or None,
            metadata={"all": not body.presetId, "deleted": deleted}))
        uow.commit()
    return DeletePresetsResult(deletedCount=deleted)
