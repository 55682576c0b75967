"""Mail delivery after a run: the composed messages (reports.mail) into the durable outbox,
then sent (zhaocuo.app.outbox), unless ``--no-mail``.

Composing is the reports stage's job and touches nothing; delivering writes store state (the
outbox) and talks to the SMTP server, so it belongs to the application.
"""

from __future__ import annotations

import logging
import os
import sys
from email.policy import SMTP
from pathlib import Path
from typing import Any

from reports import mail
from zhaocuo.app import outbox
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import SQLiteStore

log = logging.getLogger("zhaocuo.mail")


def deliver(profile: Profile, store: SQLiteStore, out_dir: Path, result: Any,
            send: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Write this run's messages to the outbox (once per run and recipient), then, unless
    ``send`` is False, send everything pending — this run's and earlier runs' leftovers.

    A copy of each message created now is written to ``out_dir/outbox/`` for people to read.
    Returns counts for the caller; nothing here raises on a mail server that is down.
    """
    if profile.mail is None:
        return {"queued": 0, "sent": 0, "pending": 0, "errors": []}
    run = result.summary.get("crawl_run", "")
    queued = 0
    copies = out_dir / "outbox"
    try:
        messages = mail.compose(result.data)
    except Exception as exc:  # noqa: BLE001 - the reports are written; say so loudly, keep the exit code
        log.exception("composing mail failed")
        print(f"错误 error: 邮件生成失败 could not compose the mail ({type(exc).__name__}: {exc}); "
              "报告已写出 the reports are written", file=sys.stderr)
        messages = []
    for n, (key, name, msg) in enumerate(messages, start=1):
        # CRLF line ends as SMTP wants them: smtplib sends bytes exactly as given.
        raw = msg.as_bytes(policy=SMTP).decode("ascii")
        added = outbox.add(store, outbox.outbox_key(run, key), run=run, recipient=key,
                           to=mail.addresses(str(msg["To"])), sender=profile.mail.sender,
                           subject=str(msg["Subject"]), raw=raw)
        if added:
            queued += 1
            copies.mkdir(parents=True, exist_ok=True)
            (copies / f"{run}-{n:02d}-{mail.safe_filename(name)}.eml").write_bytes(raw.encode("ascii"))
    sent, errors = 0, []
    if send:
        sent, errors = outbox.flush(store, profile.mail, dict(os.environ if env is None else env))
    left = len(outbox.pending(store))
    line = f"邮件 mail: 新写入发件箱 queued {queued}, 已发送 sent {sent}, 待发送 pending {left}"
    if not send:
        line += " (--no-mail: 只写发件箱 outbox only)"
    print(line, file=sys.stderr)
    for error in errors:
        print(f"邮件发送失败 mail not sent (留在发件箱, 下次运行重发 kept for the next run): {error}", file=sys.stderr)
    return {"queued": queued, "sent": sent, "pending": left, "errors": errors}
