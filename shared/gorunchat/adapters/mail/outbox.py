"""The local Mailer: each mail becomes one ``.eml`` file in an outbox folder."""

from __future__ import annotations

import os
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from gorunchat.adapters.mail import to_message
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.mailer import Mail


class OutboxMailer:
    """Writes mail to ``folder`` (the data dir's ``outbox``); files sort by time sent."""

    def __init__(self, folder: Path, sender: str, sender_name: str | None = None) -> None:
        self.folder = folder
        self.sender = sender
        self.sender_name = sender_name

    def send(self, mail: Mail) -> None:
        data = bytes(to_message(mail, self.sender, self.sender_name))
        name = f"{time.time_ns():020d}-{os.urandom(4).hex()}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(self.folder / name)  # readers never see half a mail
        except OSError as exc:
            raise ServiceUnavailable("Mail could not be written to the outbox.",
                                     code="MAIL_UNAVAILABLE") from exc

    def messages(self) -> list[EmailMessage]:
        """Every mail in the outbox, oldest first (for the local stack and tests)."""
        if not self.folder.exists():
            return []
        found: list[EmailMessage] = []
        for path in sorted(self.folder.glob("*.eml")):
            parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
            if isinstance(parsed, EmailMessage):
                found.append(parsed)
        return found
