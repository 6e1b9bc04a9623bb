"""Mailer adapters: SMTP and the local outbox folder."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from gorunchat.ports.mailer import Mail


def to_message(mail: Mail, sender: str, sender_name: str | None) -> EmailMessage:
    """``mail`` as an RFC 5322 message (text, plus an HTML alternative when given)."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message
