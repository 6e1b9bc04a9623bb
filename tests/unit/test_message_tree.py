"""Message trees and fork selection: pure functions over messages linked by parentMessageId."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gorunchat.contracts.documents import Message
from gorunchat.contracts.errors import BadRequest, NotFound
from gorunchat.domain import forking
from gorunchat.domain.message_tree import (
    NO_PARENT,
    descendants,
    levels,
    path_to_root,
    tree_order,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def tree(*rows: tuple[str, str | None]) -> list[Message]:
    return [Message(messageId=m, parentMessageId=p or NO_PARENT, conversationId="c", user="u",
                    text=m, createdAt=T0 + timedelta(seconds=i)) for i, (m, p) in enumerate(rows)]


BRANCHY = tree(("u1", None), ("a1", "u1"), ("a2", "u1"), ("u2", "a1"), ("u2b", "a1"),
               ("a3", "u2"), ("a4", "u2b"))


def ids(messages: list[Message]) -> list[str]:
    return [m.messageId for m in messages]


def test_tree_order_is_depth_first_oldest_sibling_first() -> None:
    assert ids(tree_order(list(reversed(BRANCHY)))) == [
        "u1", "a1", "u2", "a3", "u2b", "a4", "a2"]


def test_orphans_become_roots_and_cycles_end() -> None:
    odd = tree(("x", "missing"), ("y", "z"), ("z", "y"))
    assert ids(tree_order(odd)) == ["x"]  # the y <-> z cycle is unreachable from a root
    assert ids(path_to_root(odd, "y")) == ["z", "y"]
    assert levels(odd) == {"x": 0}


def test_paths_levels_and_descendants() -> None:
    assert ids(path_to_root(BRANCHY, "a4")) == ["u1", "a1", "u2b", "a4"]
    assert levels(BRANCHY)["a4"] == 3
    assert sorted(ids(descendants(BRANCHY, "a1"))) == ["a3", "a4", "u2", "u2b"]
    assert path_to_root(BRANCHY, "nope") == []


@pytest.mark.parametrize(("option", "target", "expected"), [
    (forking.ForkOption.DIRECT_PATH, "a3", {"u1", "a1", "u2", "a3"}),
    (forking.ForkOption.INCLUDE_BRANCHES, "u2", {"u1", "a1", "a2", "u2", "u2b"}),
    (forking.ForkOption.TARGET_LEVEL, "a1", {"u1", "a1", "a2"}),
    (None, "u1", {"u1"}),
])
def test_fork_selection(option: forking.ForkOption | None, target: str,
                        expected: set[str]) -> None:
    assert set(ids(forking.select(BRANCHY, target, option))) == expected


def test_split_at_target_reroots_the_level() -> None:
    chosen = forking.select(BRANCHY, "u2", forking.ForkOption.TARGET_LEVEL,
                            split_at_target=True, latest_message_id="a4")
    by_id = {m.messageId: m for m in chosen}
    assert set(by_id) == {"u2", "u2b", "a3", "a4"}
    assert by_id["u2"].parentMessageId == NO_PARENT == by_id["u2b"].parentMessageId
    with pytest.raises(BadRequest):
        forking.select(BRANCHY, "u2", None, split_at_target=True)
    with pytest.raises(NotFound):
        forking.select(BRANCHY, "zzz", None)


def test_clone_gives_fresh_ids_and_keeps_parents_before_children() -> None:
    same_time = [m.model_copy(update={"createdAt": T0}) for m in BRANCHY]
    copies, mapping = forking.clone(same_time, "new", "owner")
    assert set(mapping) == {m.messageId for m in BRANCHY}
    by_id = {c.messageId: c for c in copies}
    assert set(by_id).isdisjoint(mapping)
    for copy in copies:
        assert copy.conversationId == "new" and copy.user == "owner"
        if copy.parentMessageId != NO_PARENT:
            assert by_id[copy.parentMessageId].createdAt < copy.createdAt
