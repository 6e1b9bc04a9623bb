"""The ``user`` function: profile, preferences, terms, favorites and account deletion."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.identity.conftest import Identity


def test_get_user_has_librechat_shape_without_secrets(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")

    response = ident.user.get("/api/user", headers=auth)

    assert response.status_code == 200
    body = response.json
    assert body["email"] == "ada@example.org"
    assert body["_id"] == body["id"]
    assert body["provider"] == "local"
    assert body["role"] == "ADMIN"
    for secret in ("password", "totpSecret", "backupCodes"):
        assert secret not in body


def test_user_routes_need_a_session(ident: Identity) -> None:
    response = ident.user.get("/api/user")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "UNAUTHORIZED"


def test_preferences_are_merged_and_audited(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")

    first = ident.user.patch("/api/user/preferences", json={"memories": False}, headers=auth)
    second = ident.user.patch("/api/user/preferences",
                              json={"statefulCodeEnvironment": "python"}, headers=auth)
    empty = ident.user.patch("/api/user/preferences", json={}, headers=auth)

    assert first.status_code == 200
    assert second.json == {"updated": True, "preferences": {
        "memories": False, "statefulCodeEnvironment": "python"}}
    assert empty.status_code == 422
    me = ident.user.get("/api/user", headers=auth).json
    assert me["personalization"]["memories"] is False
    assert ident.actions().count("user.preferences_update") == 2


def test_terms_status_and_acceptance(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")

    before = ident.user.get("/api/user/terms", headers=auth)
    accept = ident.user.post("/api/user/terms/accept", headers=auth)
    after = ident.user.get("/api/user/terms", headers=auth)

    assert before.json == {"termsAccepted": False}
    assert accept.json == {"message": "Terms accepted successfully"}
    assert after.json == {"termsAccepted": True}
    assert "user.terms_accept" in ident.actions()


def test_favorites_round_trip_and_validation(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    favorites = [{"agentId": "agent_1"}, {"model": "gpt-4o", "endpoint": "openAI"},
                 {"spec": "fast"}]

    empty = ident.user.get("/api/user/settings/favorites", headers=auth)
    saved = ident.user.post("/api/user/settings/favorites", json={"favorites": favorites},
                            headers=auth)
    read = ident.user.get("/api/user/settings/favorites", headers=auth)
    partial = ident.user.post("/api/user/settings/favorites",
                              json={"favorites": [{"model": "gpt-4o"}]}, headers=auth)
    too_many = ident.user.post("/api/user/settings/favorites",
                               json={"favorites": [{"spec": "s"}] * 51}, headers=auth)

    assert empty.json == []
    assert saved.status_code == 200
    assert read.json == favorites
    assert partial.status_code == 422
    assert too_many.status_code == 422


def test_tool_favorites_add_list_remove(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    base = "/api/user/settings/favorites/tools"

    added = ident.user.put(f"{base}/mcp/weather", headers=auth)
    twice = ident.user.put(f"{base}/mcp/weather", headers=auth)
    other = ident.user.put(f"{base}/builtin/web_search", headers=auth)
    listed = ident.user.get(base, headers=auth)
    bad_type = ident.user.put(f"{base}/widget/x", headers=auth)
    removed = ident.user.delete(f"{base}/mcp/weather", headers=auth)
    after = ident.user.get(base, headers=auth)

    assert added.json == {"itemType": "mcp", "itemId": "weather"}
    assert twice.status_code == other.status_code == 200
    assert listed.json == [{"itemType": "mcp", "itemId": "weather"},
                           {"itemType": "builtin", "itemId": "web_search"}]
    assert bad_type.status_code == 422
    assert removed.json == {"ok": True}
    assert after.json == [{"itemType": "builtin", "itemId": "web_search"}]
    assert ident.actions().count("user.favorite_tool_add") == 2


def test_delete_account_removes_sign_in_records_and_audits(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    ident.user.put("/api/user/settings/favorites/tools/tool/calc", headers=auth)

    response = ident.user.delete("/api/user/delete", headers=auth)

    assert response.status_code == 200
    assert response.json == {"message": "User deleted"}
    assert ident.user.get("/api/user", headers=auth).status_code == 401
    assert ident.login("ada@example.org").status_code == 401
    records = ident.container.store.audit_log("default").records()
    deletion = next(r for r in records if r.action == "user.delete")
    assert deletion.metadata["sessions"] == 1
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.sessions.count({}) == 0
        assert uow.users.count({}) == 0


def test_account_deletion_can_be_disabled(identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(ALLOW_ACCOUNT_DELETION="false")
    auth = ident.signed_up("ada@example.org")

    response = ident.user.delete("/api/user/delete", headers=auth)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "ACCOUNT_DELETION_DISABLED"


@pytest.mark.parametrize(("path", "body"), [
    ("/api/user/verify", {"email": "x@example.org"}),
    ("/api/user/verify", {"email": "not-an-email", "token": "t"}),
    ("/api/user/verify/resend", {"email": "a" * 300 + "@example.org"}),
])
def test_bad_verification_input_is_422(ident: Identity, path: str, body: dict[str, str]
                                       ) -> None:
    response = ident.user.post(path, json=body)
    assert response.status_code == 422
