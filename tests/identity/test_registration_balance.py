"""Registration grants the configured start balance (``balance`` in gorunchat.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.identity.conftest import Identity
from tests.routes.conftest import mounted


def test_a_new_account_starts_with_the_configured_balance(
        identity_factory: Callable[..., Identity], data_dir: Path) -> None:
    config = data_dir / "balance.yaml"
    config.write_text("balance:\n  enabled: true\n  startBalance: 12345\n", encoding="utf-8")
    ident = identity_factory(GORUNCHAT_CONFIG=str(config))

    auth = ident.signed_up("newcomer@example.com")
    response = mounted("keys").get("/api/balance", headers=auth)

    assert response.status_code == 200
    assert response.json["tokenCredits"] == 12345


def test_no_balance_document_when_balances_are_off(ident: Identity) -> None:
    auth = ident.signed_up("free@example.com")
    config = mounted("config").get("/api/config", headers=auth).json
    assert config["balance"] is None
    assert config["passwordResetEnabled"] is True
    assert config["ldap"] is None
