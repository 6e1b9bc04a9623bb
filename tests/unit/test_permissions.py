"""The effective-permission rule: OR of the bits that reach the caller, deny by default."""

from __future__ import annotations

from gorunchat.domain.permissions import (
    ALL_BITS,
    Grant,
    PermissionBits,
    PrincipalType,
    ResourceType,
    Subject,
    access_role_for_bits,
    access_roles_for,
    allows,
    effective_bits,
    roles_reached_by,
)

ALICE = Subject(user_id="alice", role="USER", group_ids=frozenset({"g-sales"}))
U, G, R, P = PrincipalType.USER, PrincipalType.GROUP, PrincipalType.ROLE, PrincipalType.PUBLIC


def test_bits_are_librechats() -> None:
    assert [int(b) for b in (PermissionBits.VIEW, PermissionBits.EDIT, PermissionBits.DELETE,
                             PermissionBits.SHARE)] == [1, 2, 4, 8]
    assert int(ALL_BITS) == 15


def test_nothing_grants_nothing() -> None:
    assert effective_bits(ALICE, []) == PermissionBits.NONE


def test_entries_for_other_principals_grant_nothing() -> None:
    grants = [Grant(U, "bob", 15), Grant(G, "g-support", 15), Grant(R, "ADMIN", 15),
              Grant(U, None, 15)]
    assert effective_bits(ALICE, grants) == PermissionBits.NONE


def test_user_group_role_and_public_bits_add_up() -> None:
    grants = [Grant(U, "alice", 1), Grant(G, "g-sales", 2), Grant(R, "USER", 4),
              Grant(P, None, 8)]
    assert effective_bits(ALICE, grants) == ALL_BITS


def test_group_membership_alone_gives_the_groups_bits() -> None:
    assert effective_bits(ALICE, [Grant(G, "g-sales", 3)]) == PermissionBits(3)
    outsider = Subject(user_id="alice", role="USER")
    assert effective_bits(outsider, [Grant(G, "g-sales", 3)]) == PermissionBits.NONE


def test_built_in_roles_inherit_downwards_only() -> None:
    admin = Subject(user_id="root", role="ADMIN")
    user = Subject(user_id="joe", role="USER")
    assert effective_bits(admin, [Grant(R, "USER", 1)]) == PermissionBits.VIEW
    assert effective_bits(user, [Grant(R, "ADMIN", 1)]) == PermissionBits.NONE
    assert roles_reached_by("SUPER_ADMIN") == frozenset({"SUPER_ADMIN", "ADMIN", "USER"})
    assert roles_reached_by("ANALYSTS") == frozenset({"ANALYSTS"})


def test_unknown_high_bits_are_ignored() -> None:
    assert effective_bits(ALICE, [Grant(U, "alice", 1 | 64)]) == PermissionBits.VIEW


def test_allows_needs_every_requested_bit() -> None:
    assert allows(3, PermissionBits.EDIT) is True
    assert allows(1, PermissionBits.EDIT | PermissionBits.VIEW) is False
    assert allows(15, PermissionBits.NONE) is False


def test_access_roles_match_librechat_ids_and_bits() -> None:
    agent = {r.accessRoleId: r.permBits for r in access_roles_for(ResourceType.AGENT)}
    assert agent == {"agent_viewer": 1, "agent_editor": 3, "agent_owner": 15}
    links = {r.accessRoleId for r in access_roles_for(ResourceType.SHARED_LINK)}
    assert links == {"sharedLink_viewer", "sharedLink_owner"}
    found = access_role_for_bits(ResourceType.PROMPTGROUP, 3)
    assert found is not None and found.accessRoleId == "promptGroup_editor"
