"""A real SMTP server on loopback for tests (aiosmtpd): ``loopback_smtp`` starts one, ``Sink`` keeps
every message it accepts."""

from __future__ import annotations

import contextlib
import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.servers import reserved_port


class Sink:
    """aiosmtpd handler that keeps every message it accepts, with its envelope recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


# Seconds the server thread may take to start and answer its own probe: a loaded 2-core machine
# (a browser and another test suite beside this one) can take longer than aiosmtpd's default 5.
READY_TIMEOUT_S = 30.0


def smtp_controller(handler: Any = None, port: int | None = None, **options: Any) -> Controller:
    """aiosmtpd's Controller for a server on 127.0.0.1, not yet started (``loopback_smtp`` starts
    and stops one; use this where the test starts and stops it itself)."""
    return Controller(handler if handler is not None else Sink(), hostname="127.0.0.1",
                      port=port if port is not None else reserved_port(), ready_timeout=READY_TIMEOUT_S, **options)


@contextlib.contextmanager
def loopback_smtp(handler: Any = None, port: int | None = None, **options: Any) -> Iterator[Controller]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, on a port reserved for this test process (or
    ``port``), handing messages to ``handler`` (a new ``Sink`` when none; ``ctl.handler``);
    ``options`` go to aiosmtpd's Controller (TLS, authentication). Stopped on exit."""
    ctl = smtp_controller(handler, port, **options)
    ctl.start()
    try:
        yield ctl
    finally:
        ctl.stop()
