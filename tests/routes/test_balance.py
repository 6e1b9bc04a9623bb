"""``GET /api/balance``: start balance and auto-refill from ``balance`` in gorunchat.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.balance import Balance, Transaction
from gorunchat.services import balance
from tests.routes.conftest import _settings, mounted, user_factory

YAML = """
balance:
  enabled: true
  startBalance: 20000
  autoRefillEnabled: true
  refillIntervalValue: 1
  refillIntervalUnit: days
  refillAmount: 5000
"""


@pytest.fixture
def with_balances(data_dir: Path) -> Iterator[Container]:
    (data_dir / "gorunchat.yaml").write_text(YAML, encoding="utf-8")
    c = Container(_settings(data_dir))
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_registration_start_balance_is_idempotent(with_balances: Container) -> None:
    container = with_balances
    user, _ = user_factory(container)()
    with container.store.unit_of_work("default") as uow:
        first = balance.ensure_start_balance(uow, user.id, container.settings)
        uow.commit()
    with container.store.unit_of_work("default") as uow:
        second = balance.ensure_start_balance(uow, user.id, container.settings)
        uow.commit()
    assert first is not None and second is not None
    assert (first.tokenCredits, second.id) == (20000, first.id)


def test_balance_answers_in_librechats_shape(with_balances: Container) -> None:
    user, auth = user_factory(with_balances)()

    response = mounted("keys").get("/api/balance", headers=auth)

    assert response.status_code == 200
    assert sorted(response.json) == ["autoRefillEnabled", "lastRefill", "refillAmount",
                                     "refillIntervalUnit", "refillIntervalValue",
                                     "tokenCredits"]
    assert (response.json["tokenCredits"], response.json["refillAmount"]) == (20000, 5000)


def test_a_due_refill_is_added_once_with_its_transaction(with_balances: Container) -> None:
    container = with_balances
    user, auth = user_factory(container)()
    mounted("keys").get("/api/balance", headers=auth)
    with container.store.unit_of_work("default") as uow:
        uow.repo(Balance).update_many({"user": user.id}, {
            "lastRefill": datetime.now(UTC) - timedelta(days=3), "tokenCredits": 100})
        uow.commit()

    first = mounted("keys").get("/api/balance", headers=auth)
    again = mounted("keys").get("/api/balance", headers=auth)

    assert (first.json["tokenCredits"], again.json["tokenCredits"]) == (5100, 5100)
    with container.store.unit_of_work("default", readonly=True) as uow:
        ledger = uow.repo(Transaction).find({"user": user.id})
    assert [(t.tokenType, t.context, t.rawAmount) for t in ledger] == [
        ("credits", "autoRefill", 5000)]


def test_without_balances_there_is_none(container: Container) -> None:
    _, auth = user_factory(container)()
    response = mounted("keys").get("/api/balance", headers=auth)
    assert (response.status_code, response.json["error"]["code"]) == (404, "BALANCE_NOT_FOUND")


def test_monthly_refills_use_calendar_months() -> None:
    doc = Balance(id="b", user="u", autoRefillEnabled=True, refillIntervalValue=1,
                  refillIntervalUnit="months", lastRefill=datetime(2026, 12, 31, tzinfo=UTC))
    assert balance.next_refill(doc) == datetime(2027, 1, 28, tzinfo=UTC)
