"""Canonical JSON, record hashes and chain verification (``gorunchat.domain.hashchain``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from gorunchat.contracts.audit import Actor, AuditEvent
from gorunchat.domain.audit import chain
from gorunchat.domain.hashchain import GENESIS, canonical_json, first_break, record_hash

NOW = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _records(n: int, **kwargs: Any) -> list[dict[str, Any]]:
    events = [AuditEvent(action=f"a{i}", actor=Actor(userId="u1"), metadata={"i": i})
              for i in range(1, n + 1)]
    return [r.model_dump() for r in chain(events, tenant_id="t", head_seq=kwargs.get("seq", 0),
                                          head_hash=kwargs.get("prev", GENESIS), now=NOW)]


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_unicode() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "é"], "c": {"z": 1, "y": 2}}) == (
        '{"a":[true,null,"é"],"b":1,"c":{"y":2,"z":1}}'.encode())


def test_canonical_json_writes_datetimes_as_iso_with_microseconds() -> None:
    assert canonical_json({"ts": NOW}) == b'{"ts":"2024-05-01T12:00:00.123456+00:00"}'
    assert canonical_json({"ts": NOW.replace(microsecond=0)}) == (
        b'{"ts":"2024-05-01T12:00:00.000000+00:00"}')


def test_canonical_json_refuses_what_json_cannot_say() -> None:
    with pytest.raises(TypeError, match="not JSON serialisable: set"):
        canonical_json({"tags": {"a"}})


def test_record_hash_is_sha256_of_everything_but_the_hash() -> None:
    fields = {"seq": 1, "action": "login", "prevHash": GENESIS}
    expected = hashlib.sha256(canonical_json(fields)).hexdigest()

    assert record_hash(fields) == expected
    assert record_hash({**fields, "hash": "anything"}) == expected
    assert record_hash(dict(reversed(list(fields.items())))) == expected
    assert record_hash({**fields, "action": "logout"}) != expected
    assert len(expected) == 64


def test_a_valid_chain_has_no_break() -> None:
    records = _records(4)
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert records[0]["prevHash"] == GENESIS
    assert first_break(records) is None
    assert first_break([]) is None


def test_a_chain_can_be_checked_from_the_middle() -> None:
    records = _records(5)
    assert first_break(records[2:], prev=records[1]["hash"], expected_seq=3) is None
    broken = first_break(records[2:])
    assert broken is not None
    assert (broken[0], broken[1]["seq"], broken[2]) == (0, 3,
                                                        "sequence gap: expected 1, found 3")


def test_an_edited_record_breaks_at_that_record() -> None:
    records = _records(4)
    records[2] = {**records[2], "metadata": {"i": 99}}

    broken = first_break(records)

    assert broken is not None
    assert (broken[0], broken[1]["seq"], broken[2]) == (
        2, 3, "hash does not match the record's content")


def test_a_rehashed_edit_breaks_at_the_next_link() -> None:
    records = _records(4)
    edited = {**records[1], "metadata": {"i": 99}}
    records[1] = {**edited, "hash": record_hash(edited)}

    broken = first_break(records)

    assert broken is not None
    assert (broken[0], broken[1]["seq"], broken[2]) == (
        2, 3, "prevHash does not match the previous record's hash")


def test_a_removed_record_is_a_sequence_gap() -> None:
    records = _records(4)
    del records[1]

    broken = first_break(records)

    assert broken is not None
    assert (broken[0], broken[1]["seq"], broken[2]) == (1, 3,
                                                        "sequence gap: expected 2, found 3")


def test_reordered_records_break_at_the_first_out_of_place() -> None:
    records = _records(3)
    records[0], records[1] = records[1], records[0]

    broken = first_break(records)

    assert broken is not None
    assert (broken[0], broken[1]["seq"], broken[2]) == (0, 2,
                                                        "sequence gap: expected 1, found 2")


def test_chain_continues_from_a_head_and_truncates_time_to_milliseconds() -> None:
    first = _records(2)
    more = _records(2, seq=2, prev=first[-1]["hash"])

    assert [r["seq"] for r in more] == [3, 4]
    assert more[0]["prevHash"] == first[-1]["hash"]
    assert first_break(first + more) is None
    assert more[0]["ts"] == NOW.replace(microsecond=123000)
