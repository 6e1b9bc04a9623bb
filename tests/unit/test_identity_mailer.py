"""The Mailer port: the outbox and SMTP adapters pass one contract (SMTP against a real
aiosmtpd server on loopback)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from gorunchat.adapters.mail.outbox import OutboxMailer
from gorunchat.adapters.mail.smtp import SmtpMailer
from gorunchat.contracts.authconfig import MailSettings
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.mailer import Mail, Mailer
from tests.identity.conftest import free_port

Received = Callable[[], list[EmailMessage]]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        raw = envelope.content  # type: ignore[attr-defined]
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture(params=["outbox", "smtp"])
def mailer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Mailer, Received]]:
    if request.param == "outbox":
        outbox = OutboxMailer(tmp_path / "outbox", "noreply@example.org", "GoRunChat")
        yield outbox, outbox.messages
        return
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = MailSettings(host="127.0.0.1", port=port, encryption="none",
                                from_address="noreply@example.org", from_name="GoRunChat")
        yield SmtpMailer(settings), lambda: inbox.messages
    finally:
        controller.stop()


def test_a_sent_mail_arrives_whole(mailer: tuple[Mailer, Received]) -> None:
    sender, received = mailer

    sender.send(Mail(to="ada@example.org", subject="Verify your email",
                     text="Open https://chat.example/verify?token=abc", html="<p>Open</p>"))

    [message] = received()
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Verify your email"
    assert message["From"] == "GoRunChat <noreply@example.org>"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Open https://chat.example/verify?token=abc"


def test_an_unreachable_smtp_server_is_service_unavailable() -> None:
    sender = SmtpMailer(MailSettings(host="127.0.0.1", port=9, encryption="none"),
                        timeout_s=2)
    with pytest.raises(ServiceUnavailable) as caught:
        sender.send(Mail(to="ada@example.org", subject="s", text="t"))
    assert caught.value.code == "MAIL_UNAVAILABLE"
