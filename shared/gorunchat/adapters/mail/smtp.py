"""The SMTP Mailer (smtplib): STARTTLS, implicit TLS or plain, with optional login."""

from __future__ import annotations

import smtplib
import ssl

from gorunchat.adapters.mail import to_message
from gorunchat.contracts.authconfig import MailSettings
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.mailer import Mail


class SmtpMailer:
    """Sends each mail over a new SMTP connection (functions are short-lived)."""

    def __init__(self, settings: MailSettings, timeout_s: float = 10.0,
                 tls_context: ssl.SSLContext | None = None) -> None:
        if not settings.host:
            raise ValueError("SmtpMailer needs EMAIL_HOST")
        self.settings = settings
        self.timeout_s = timeout_s
        self.tls_context = tls_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host = s.host or ""
        if s.encryption == "tls":
            return smtplib.SMTP_SSL(host, s.port, timeout=self.timeout_s,
                                    context=self.tls_context)
        client = smtplib.SMTP(host, s.port, timeout=self.timeout_s)
        if s.encryption == "starttls":
            client.starttls(context=self.tls_context)
        return client

    def send(self, mail: Mail) -> None:
        s = self.settings
        message = to_message(mail, s.from_address, s.from_name)
        try:
            with self._connect() as client:
                if s.username and s.password:
                    client.login(s.username, s.password)
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise ServiceUnavailable("The mail server did not accept the mail.",
                                     code="MAIL_UNAVAILABLE") from exc
