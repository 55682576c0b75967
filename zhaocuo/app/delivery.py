"""Mail delivery after a run: the composed messages (reports.mail) into the durable outbox,
then sent (zhaocuo.app.outbox), unless ``--no-mail``.

Composing is the reports stage's job and touches nothing; delivering writes store state (the
outbox) and talks to the SMTP server, so it belongs to the application.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from reports import mail
from zhaocuo.app import outbox
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store

log = logging.getLogger("zhaocuo.mail")


def deliver(profile: Profile, store: Store, out_dir: Path, result: Any,
            send: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Write this run's messages to the outbox (once per run and recipient; they replace any
    message of an older run still waiting), then, unless ``send`` is False, send everything
    pending.

    A copy of each message created now is written to ``out_dir/outbox/`` for people to read.
    Returns counts for the caller, with ``failed`` true when a message could not be composed
    or sent (the caller's exit status); nothing here raises on a mail server that is down.
    """
    if profile.mail is None:
        return {"queued": 0, "sent": 0, "pending": 0, "superseded": 0, "errors": [], "failed": False}
    run = result.summary.get("crawl_run", "")
    queued = superseded = 0
    copies = out_dir / "outbox"
    composed = True
    try:
        messages = mail.compose(result.data)
    except Exception as exc:  # noqa: BLE001 - the reports are written; say so loudly
        log.exception("composing mail failed")
        print(f"错误 error: 邮件生成失败 could not compose the mail ({type(exc).__name__}: {exc}); "
              "报告已写出 the reports are written; 发件箱中较早的邮件保留 older messages stay in the outbox",
              file=sys.stderr)
        messages, composed = [], False
    if composed:
        superseded = outbox.supersede(store, run)
    for n, (key, name, msg) in enumerate(messages, start=1):
        raw = mail.wire(msg).decode("ascii")
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
    if superseded:
        line += f", 被本次取代的旧邮件 superseded by this run's {superseded}"
    if not send:
        line += " (--no-mail: 只写发件箱 outbox only)"
    print(line, file=sys.stderr)
    for error in errors:
        print(f"警告 warning: 邮件发送失败 mail not sent (留在发件箱, 下次运行重发 kept for the next run): {error}",
              file=sys.stderr)
    failed = send and (not composed or bool(errors))
    return {"queued": queued, "sent": sent, "pending": left, "superseded": superseded, "errors": errors,
            "failed": failed}
