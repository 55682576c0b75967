"""A real SMTP server on loopback for tests (aiosmtpd): ``Sink`` keeps every message accepted."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy


class Sink:
    """aiosmtpd handler that keeps every message it accepts, with its envelope recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 OK"
