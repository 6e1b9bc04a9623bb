"""The Mailer port: send one plain-text (and optionally HTML) mail.

Two adapters implement it: SMTP for real deployments (``adapters.mail.smtp``) and the local
outbox (``adapters.mail.outbox``), which writes each mail as an ``.eml`` file so that the
verification and reset flows can be followed, and tested, without a mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver ``mail`` or raise ``ServiceUnavailable``; never partially."""
