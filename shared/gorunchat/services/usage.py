"""Usage accounting: a generation's usage becomes ``transactions`` and debits ``balances``.

LibreChat's semantics: rates are USD per 1M tokens and 1M credits are 1 USD, so a token
costs ``rate`` credits. One exchange writes a ``prompt`` transaction (structured with
``inputTokens``/``writeTokens``/``readTokens`` when prompt caching was involved) and a
``completion`` transaction, each with a negative ``rawAmount`` and ``tokenValue``, and
debits the balance by their sum, all in one unit of work. Nothing is recorded when
balances are off (``balance.enabled: false``).

Before a call, ``check_balance`` refuses (``INSUFFICIENT_BALANCE``) when the balance cannot
cover the estimated prompt, after applying a due auto-refill.
"""

from __future__ import annotations

from dataclasses import dataclass

from gorunchat.contracts.balance import Balance, Transaction
from gorunchat.contracts.errors import Forbidden
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.domain.pricing import cost, estimate_tokens, rate_for
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.balance import ensure_start_balance, refill_if_due


@dataclass(frozen=True)
class Spend:
    """Who spent what: the usage of one response."""

    tenant_id: str
    user_id: str
    conversation_id: str
    message_id: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read: int = 0
    cache_write: int = 0
    context: str = "message"  # LibreChat's transaction context: message, title


def _balance(uow: UnitOfWork, user_id: str, settings: Settings) -> Balance | None:
    found = uow.repo(Balance).find_one({"user": user_id})
    return found if found is not None else ensure_start_balance(uow, user_id, settings)


def check_balance(store: Store, settings: Settings, tenant_id: str, user_id: str,
                  model: str, prompt_text: str) -> None:
    """Refuse a call whose estimated prompt the user's balance cannot cover."""
    if not settings.app.balance.enabled:
        return
    rate = rate_for(model)
    needed = estimate_tokens(prompt_text) * rate.prompt
    with store.unit_of_work(tenant_id) as uow:
        balance = _balance(uow, user_id, settings)
        if balance is not None:
            balance = refill_if_due(uow, balance)
        uow.commit()
    credits = balance.tokenCredits if balance is not None else 0.0
    if needed > 0 and credits < needed:
        raise Forbidden(f"Your balance ({credits:.0f} credits) cannot cover this prompt "
                        f"(about {needed:.0f} credits for {model}).",
                        code="INSUFFICIENT_BALANCE")


def record_usage(store: Store, settings: Settings, spend: Spend) -> float:
    """Write the exchange's transactions and debit the balance; returns the credits spent."""
    if not settings.app.balance.enabled:
        return 0.0
    rate = rate_for(spend.model)
    price = cost(rate, input_tokens=spend.input_tokens, output_tokens=spend.output_tokens,
                 cache_read=spend.cache_read, cache_write=spend.cache_write)
    with store.unit_of_work(spend.tenant_id) as uow:
        balance = _balance(uow, spend.user_id, settings)
        repo = uow.repo(Transaction)
        repo.insert(_prompt_tx(spend, rate.prompt, price.prompt))
        repo.insert(Transaction(
            id=object_id(), user=spend.user_id, tokenType="completion", context=spend.context,
            conversationId=spend.conversation_id, model=spend.model,
            rawAmount=-spend.output_tokens, tokenValue=-price.completion,
            rate=rate.completion, messageId=spend.message_id))
        if balance is not None:  # an increment: concurrent debits all count
            uow.repo(Balance).increment(balance.id, {"tokenCredits": -price.total})
        uow.commit()
    return price.total


def _prompt_tx(spend: Spend, rate: float, value: float) -> Transaction:
    tx = Transaction(id=object_id(), user=spend.user_id, tokenType="prompt", context=spend.context,
                     conversationId=spend.conversation_id, model=spend.model,
                     rawAmount=-spend.input_tokens, tokenValue=-value, rate=rate,
                     messageId=spend.message_id)
    if spend.cache_read or spend.cache_write:
        uncached = max(0, spend.input_tokens - spend.cache_read - spend.cache_write)
        tx = tx.model_copy(update={"inputTokens": -uncached, "writeTokens": -spend.cache_write,
                                   "readTokens": -spend.cache_read})
    return tx
