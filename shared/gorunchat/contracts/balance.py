"""Token credit balances and their ledger: LibreChat's ``balances`` and ``transactions``.

1,000,000 credits are one US dollar. A balance starts at ``balance.startBalance`` from
``gorunchat.yaml`` when the user registers and, with ``autoRefillEnabled``, gains
``refillAmount`` once every ``refillIntervalValue`` ``refillIntervalUnit``. Every change of
credits is a transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from gorunchat.contracts.documents import Document

IntervalUnit = Literal["seconds", "minutes", "hours", "days", "weeks", "months"]


class Balance(Document):
    """A user's credits and refill settings (collection ``balances``), one per user."""

    collection: ClassVar[str] = "balances"

    id: str = Field(alias="_id")
    user: str
    tokenCredits: float = 0
    autoRefillEnabled: bool = False
    refillIntervalValue: int = 30
    refillIntervalUnit: IntervalUnit = "days"
    lastRefill: datetime | None = None
    refillAmount: float = 0


class Transaction(Document):
    """One change of credits (collection ``transactions``)."""

    collection: ClassVar[str] = "transactions"

    id: str = Field(alias="_id")
    user: str
    tokenType: Literal["prompt", "completion", "credits"]
    context: str | None = None
    conversationId: str | None = None
    model: str | None = None
    rawAmount: float = 0
    tokenValue: float = 0
    rate: float | None = None


class BalanceView(BaseModel):
    """``GET /api/balance`` in LibreChat's shape: the refill fields appear only when
    auto-refill is on."""

    model_config = ConfigDict(frozen=True)

    tokenCredits: float
    autoRefillEnabled: bool
    refillIntervalValue: int | None = None
    refillIntervalUnit: IntervalUnit | None = None
    lastRefill: datetime | None = None
    refillAmount: float | None = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}
