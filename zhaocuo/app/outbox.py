"""The durable outbox: every message is stored before any attempt to send it.

Messages live in the store's cross-run ``state`` table (kind ``outbox``), keyed by
(crawl run, recipient), in the same SQLite file as the findings they report — so they
survive a crash, a full disk on the report folder or an SMTP server that is down, and the
next run sends what is still pending. A key already present is never written again, so no
unit receives the same run twice, however often the run is retried.

One digest per recipient per night: when a newer run's messages are queued, every message of
an older run still pending (the mail server was down) is marked ``superseded`` — the newer
message says everything the older one did, as things stand now — so a week's outage ends in
one message per unit, not seven. Superseded and sent entries keep their key and headers for
the record; their bodies are dropped.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from typing import Any

from zhaocuo.core.profile import MailSection
from zhaocuo.core.store import Store, now_iso

KIND = "outbox"


@dataclass
class Entry:
    key: str
    data: dict[str, Any]

    @property
    def pending(self) -> bool:
        return self.data.get("status") == "pending"


def outbox_key(run: int | str, recipient: str) -> str:
    """(run, recipient) — the idempotency key of a message."""
    return f"{run}|{recipient}"


def add(store: Store, key: str, *, run: int | str, recipient: str, to: list[str], sender: str,
        subject: str, raw: str) -> bool:
    """Store a message unless one with this key exists; True when it was added now."""
    if store.get_state(KIND, key) is not None:
        return False
    store.put_state(KIND, key, {
        "run": run, "recipient": recipient, "to": to, "sender": sender, "subject": subject,
        "raw": raw, "status": "pending", "created": now_iso(), "attempts": 0, "last_error": "",
    })
    store.commit()
    return True


def supersede(store: Store, run: int | str) -> int:
    """Mark every pending message of another (older) run superseded by ``run``'s; how many."""
    n = 0
    for entry in pending(store):
        if str(entry.data.get("run")) != str(run):
            entry.data.update(status="superseded", superseded_by=run, superseded_at=now_iso(),
                              size=len(entry.data.get("raw", "")), raw="")
            store.put_state(KIND, entry.key, entry.data)
            n += 1
    store.commit()
    return n


def entries(store: Store) -> list[Entry]:
    items = [Entry(k, d) for k, d in store.all_state(KIND).items()]
    return sorted(items, key=lambda e: (str(e.data.get("created", "")), e.key))


def pending(store: Store) -> list[Entry]:
    return [e for e in entries(store) if e.pending]


def _mark(store: Store, entry: Entry, **changes: Any) -> None:
    entry.data.update(changes)
    store.put_state(KIND, entry.key, entry.data)
    store.commit()  # one commit per message: a crash never makes a sent message pending again


def _host_port(smtp: str, security: str) -> tuple[str, int]:
    host, sep, port = smtp.rpartition(":")
    if not sep or not port.isdigit():
        return smtp.strip("[]"), 465 if security == "ssl" else 25
    return host.strip("[]"), int(port)


def _tls_context() -> ssl.SSLContext:
    """Certificates are always verified. A mail server with a private CA is trusted through
    OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR environment variables, never by turning checks off."""
    return ssl.create_default_context()


def connect(mail: MailSection, env: dict[str, str], login: bool = True) -> smtplib.SMTP:
    """An SMTP session as the profile asks: STARTTLS, implicit TLS (ssl) or plain (none).

    The user and password come only from the environment variables named in [mail]; they
    are never sent over a connection that is not encrypted. ``login=False`` (the doctor)
    stops after EHLO and STARTTLS.
    """
    host, port = _host_port(mail.smtp, mail.security)
    if mail.security == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=mail.timeout_s, context=_tls_context())
    else:
        conn = smtplib.SMTP(host, port, timeout=mail.timeout_s)
    try:
        conn.ehlo()
        if mail.security == "starttls":
            conn.starttls(context=_tls_context())
            conn.ehlo()
        user = env.get(mail.user_env, "") if login else ""
        if user:
            if mail.security == "none":
                raise smtplib.SMTPException(
                    f"不在未加密连接上发送口令 refusing to send {mail.user_env} over an unencrypted connection "
                    "(set mail.security = \"starttls\" or \"ssl\")")
            conn.login(user, env.get(mail.password_env, ""))
    except BaseException:
        conn.close()
        raise
    return conn


def probe(mail: MailSection) -> str:
    """Connect, EHLO and (as configured) STARTTLS or TLS, then QUIT: no login, no mail. Returns
    how the server introduced itself; raises OSError / SMTPException as sending would."""
    conn = connect(mail, {}, login=False)
    try:
        name = (conn.ehlo_resp or b"").decode("utf-8", "replace").splitlines()[:1]
        tls = {"starttls": "STARTTLS", "ssl": "TLS"}.get(mail.security, "未加密 plain")
        return f"{name[0] if name else ''} ({tls})".strip()
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def permanent(exc: BaseException) -> bool:
    """A 5xx answer: retrying the same message cannot succeed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def flush(store: Store, mail: MailSection, env: dict[str, str]) -> tuple[int, list[str]]:
    """Send every pending message; return (sent, errors). Temporary failures stay pending;
    permanent ones (5xx) are marked rejected."""
    todo = pending(store)
    if not todo:
        return 0, []
    try:
        conn = connect(mail, env)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{mail.smtp}: {type(exc).__name__}: {exc}"
        for entry in todo:
            _mark(store, entry, attempts=int(entry.data.get("attempts", 0)) + 1, last_error=error,
                  last_attempt=now_iso())
        return 0, [error]
    sent, errors = 0, []
    try:
        for entry in todo:
            attempts = int(entry.data.get("attempts", 0)) + 1
            try:
                refused = conn.sendmail(entry.data["sender"], entry.data["to"], entry.data["raw"].encode("ascii"))
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{entry.data.get('recipient')}: {type(exc).__name__}: {exc}"
                if permanent(exc):
                    # 5xx: the server will never take it (no such mailbox, too big…). Kept in the
                    # outbox as "rejected" for people to see, not retried every night for ever.
                    error = "拒收 rejected: " + error
                    _mark(store, entry, status="rejected", attempts=attempts, last_error=error, last_attempt=now_iso())
                else:
                    _mark(store, entry, attempts=attempts, last_error=error, last_attempt=now_iso())
                errors.append(error)
                if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                    break  # the connection is gone: the rest waits for the next run
                continue
            sent += 1
            if refused:
                errors.append(f"{entry.data.get('recipient')}: 部分收件人被拒收 some recipients refused: {refused}")
            # The key stays (no second sending of this run); the body goes, or a year of nightly
            # ledgers would pile up in the store. A copy was written beside the reports.
            _mark(store, entry, status="sent", sent_at=now_iso(), attempts=attempts, raw="",
                  size=len(entry.data["raw"]), last_error=str(refused) if refused else "")
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return sent, errors
