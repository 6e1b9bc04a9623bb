"""Token credit balances: the start balance at registration, auto-refill and
``GET /api/balance``, from ``balance`` in ``gorunchat.yaml`` (LibreChat's shape:
``enabled``, ``startBalance``, ``autoRefillEnabled``, ``refillIntervalValue``,
``refillIntervalUnit``, ``refillAmount``).

Registration calls ``ensure_start_balance(uow, user_id, settings)`` inside its own unit of
work. A refill is due once ``refillIntervalValue`` units have passed since ``lastRefill``;
it adds ``refillAmount`` once (however long the gap) and records a ``credits`` transaction
with context ``autoRefill``, as LibreChat does. Refills are checked when the balance is
read; spending code calls ``refill_if_due`` before checking credits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from gorunchat.contracts.appconfig import BalanceConfig
from gorunchat.contracts.balance import Balance, BalanceView, Transaction
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import NotFound
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400,
                 "weeks": 7 * 86_400}


def next_refill(balance: Balance) -> datetime | None:
    """When the next refill falls due (months are calendar months), or ``None``."""
    if not balance.autoRefillEnabled or balance.lastRefill is None:
        return None
    value, unit = balance.refillIntervalValue, balance.refillIntervalUnit
    if unit == "months":
        last = balance.lastRefill
        month = last.month - 1 + value
        year, month = last.year + month // 12, month % 12 + 1
        day = min(last.day, 28)
        return last.replace(year=year, month=month, day=day)
    return balance.lastRefill + timedelta(seconds=value * _UNIT_SECONDS[unit])


def ensure_start_balance(uow: UnitOfWork, user_id: str, settings: Settings) -> Balance | None:
    """Give a new user their start balance (idempotent); ``None`` when balances are off."""
    config: BalanceConfig = settings.app.balance
    if not config.enabled:
        return None
    repo = uow.repo(Balance)
    existing = repo.find_one({"user": user_id})
    if existing is not None:
        return existing
    now = utcnow()
    balance = repo.insert(Balance(
        id=object_id(), user=user_id, tokenCredits=config.startBalance,
        autoRefillEnabled=config.autoRefillEnabled,
        refillIntervalValue=config.refillIntervalValue,
        refillIntervalUnit=config.refillIntervalUnit, refillAmount=config.refillAmount,
        lastRefill=now))
    return balance


def refill_if_due(uow: UnitOfWork, balance: Balance, now: datetime | None = None) -> Balance:
    """Add ``refillAmount`` if a refill is due, with its ``autoRefill`` transaction."""
    now = now or utcnow()
    due = next_refill(balance)
    if due is None or due > now or balance.refillAmount <= 0:
        return balance
    credits = balance.tokenCredits + balance.refillAmount
    uow.repo(Transaction).insert(Transaction(
        id=object_id(), user=balance.user, tokenType="credits", context="autoRefill",
        rawAmount=balance.refillAmount, tokenValue=balance.refillAmount))
    updated = uow.repo(Balance).update(balance.id, {"tokenCredits": credits,
                                                    "lastRefill": now})
    return updated or balance.model_copy(update={"tokenCredits": credits, "lastRefill": now})


def view(balance: Balance) -> BalanceView:
    """LibreChat's answer: the refill fields only when auto-refill is on."""
    if not balance.autoRefillEnabled:
        return BalanceView(tokenCredits=balance.tokenCredits, autoRefillEnabled=False)
    return BalanceView(tokenCredits=balance.tokenCredits, autoRefillEnabled=True,
                       refillIntervalValue=balance.refillIntervalValue,
                       refillIntervalUnit=balance.refillIntervalUnit,
                       lastRefill=balance.lastRefill, refillAmount=balance.refillAmount)


def get_balance(store: Store, caller: Caller, settings: Settings) -> BalanceView:
    """``GET /api/balance``: creates the start balance for users who predate balances,
    applies a due refill, and answers 404 when balances are off and none exists."""
    with store.unit_of_work(caller.tenant_id) as uow:
        balance = uow.repo(Balance).find_one({"user": caller.user_id})
        if balance is None:
            balance = ensure_start_balance(uow, caller.user_id, settings)
        if balance is None:
            raise NotFound("Balance not found.", code="BALANCE_NOT_FOUND")
        balance = refill_if_due(uow, balance)
        uow.commit()
    return view(balance)
