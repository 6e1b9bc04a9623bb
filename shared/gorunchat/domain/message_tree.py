"""Message trees: a conversation's messages linked by ``parentMessageId``.

LibreChat stores each message with the id of the one it answers; the root messages point at
``NO_PARENT`` (the nil UUID) or at nothing. Editing or regenerating creates a sibling, so a
conversation is a tree whose every root-to-leaf path is one branch. These functions work on
any objects with ``messageId``, ``parentMessageId`` and ``createdAt`` and never loop forever,
even on a corrupt tree with cycles or missing parents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

NO_PARENT = "00000000-0000-0000-0000-000000000000"


class Node(Protocol):
    @property
    def messageId(self) -> str: ...

    @property
    def parentMessageId(self) -> str | None: ...

    @property
    def createdAt(self) -> datetime: ...


N = TypeVar("N", bound=Node)


def parent_of(node: Node) -> str:
    """The node's parent id, with "no parent" always spelled ``NO_PARENT``."""
    return node.parentMessageId or NO_PARENT


def children_map(nodes: Iterable[N]) -> dict[str, list[N]]:
    """Parent id → children in creation order; orphans (unknown parent) count as roots."""
    listed = list(nodes)
    known = {n.messageId for n in listed}
    children: dict[str, list[N]] = defaultdict(list)
    for node in listed:
        parent = parent_of(node)
        children[parent if parent in known else NO_PARENT].append(node)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.createdAt, n.messageId))
    return children


def tree_order(nodes: Iterable[N]) -> list[N]:
    """Depth-first, parents before children, siblings oldest first; each node once."""
    children = children_map(nodes)
    ordered: list[N] = []
    seen: set[str] = set()
    stack = list(reversed(children.get(NO_PARENT, [])))
    while stack:
        node = stack.pop()
        if node.messageId in seen:
            continue
        seen.add(node.messageId)
        ordered.append(node)
        stack.extend(reversed(children.get(node.messageId, [])))
    return ordered


def path_to_root(nodes: Sequence[N], target_id: str) -> list[N]:
    """The branch from the root down to ``target_id`` (empty when it is not there)."""
    by_id = {n.messageId: n for n in nodes}
    path: list[N] = []
    current = by_id.get(target_id)
    while current is not None and current.messageId not in {p.messageId for p in path}:
        path.append(current)
        current = by_id.get(parent_of(current))
    return list(reversed(path))


def levels(nodes: Sequence[N]) -> dict[str, int]:
    """Each reachable node's depth below the roots (roots are level 0)."""
    children = children_map(nodes)
    depth: dict[str, int] = {}
    current = children.get(NO_PARENT, [])
    level = 0
    while current:
        following: list[N] = []
        for node in current:
            if node.messageId in depth:
                continue
            depth[node.messageId] = level
            following.extend(children.get(node.messageId, []))
        current = following
        level += 1
    return depth


def descendants(nodes: Sequence[N], root_id: str) -> list[N]:
    """Every node below ``root_id`` (not the node itself), parents before children."""
    children = children_map(nodes)
    found: list[N] = []
    seen = {root_id}
    stack = list(children.get(root_id, []))
    while stack:
        node = stack.pop()
        if node.messageId in seen:
            continue
        seen.add(node.messageId)
        found.append(node)
        stack.extend(children.get(node.messageId, []))
    return found
