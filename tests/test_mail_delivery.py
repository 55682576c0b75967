"""Mail through a real SMTP server on loopback (aiosmtpd): each unit gets one message with only
its own findings and its own ledger; the office gets the scoreboard and the veto-risk panel;
a server that is down leaves the outbox for the next run; no unit gets the same run twice."""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.utils
import io
import ipaddress
import re
import ssl
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.smtp import AuthResult

from reports import mail
from tests.support.profiles import write_profile
from tests.support.servers import reserved_port
from tests.support.smtp import Sink, loopback_smtp
from zhaocuo.app import delivery, lifecycle, outbox
from zhaocuo.app.runner import AuditResult, report_data
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Page, SQLiteStore

HOME = "http://www.test.gov.cn/"
JYJ, WJJ = "区教体局", "区卫健局"


@pytest.fixture
def smtp():
    with loopback_smtp() as ctl:
        yield ctl, ctl.handler


def _profile(tmp_path: Path, port: int, **mail_extra: object) -> Profile:
    return load_profile(write_profile(tmp_path, {
        "site": {"name": "示范区人民政府", "start_urls": [HOME]},
        "units": [{"name": JYJ, "paths": ["/jyj/"], "email": "jyj@test.gov.cn"},
                  {"name": WJJ, "paths": ["/wjj/"], "email": "wjj@test.gov.cn"},
                  {"name": "区民政局", "paths": ["/mzj/"], "email": "mzj@test.gov.cn"}],
        "mail": {"smtp": f"127.0.0.1:{port}", "sender": "zhaocuo@test.gov.cn", "security": "none",
                 "office": ["gkb@test.gov.cn", "zfb@test.gov.cn"], "timeout_s": 5.0, **mail_extra},
    }))


def _finding(audit: str, url: str, text: str, unit: str, severity: str = "medium") -> Finding:
    return Finding(audit=audit, severity=severity, url=url, text=text, unit=unit, page_title="通知公告",
                   message=f"页面中“{text}”有误。")


FINDINGS = [
    _finding("typo", HOME + "jyj/1.html", "布署", JYJ),
    _finding("typo", HOME + "jyj/2.html", "<script>alert(1)</script>", JYJ, "high"),
    _finding("serious_error", "javascript:alert(2)", "严重错误原文", JYJ, "veto"),
    _finding("typo", HOME + "wjj/1.html", "帐号", WJJ),
    _finding("typo", HOME + "other.html", "其它", ""),
]


def _night(store: SQLiteStore, profile: Profile, findings: list[Finding], as_of: date,
           home_status: int = 200) -> AuditResult:
    """One crawl run stored and judged by the lifecycle, as the runner would."""
    run_id, _ = store.begin_run(resume=False)
    for url in {HOME, *(f.url for f in findings)}:
        store.add_page(run_id, Page(url=url, status=home_status if url == HOME else 200))
    store.finish_run(run_id, "complete")
    crawl = store.crawl(run_id)
    found, fixed = lifecycle.apply(store, profile, crawl, [Finding.from_dict(f.to_dict()) for f in findings], as_of)
    summary = {"crawl_run": run_id, "pages_crawled": 4}
    return AuditResult(found, fixed, summary, data=report_data(store, crawl, profile, as_of, found, fixed, summary))


def _html(msg: EmailMessage) -> str:
    return msg.get_body(("html",)).get_content()


def _ledger_ids(msg: EmailMessage) -> set[str]:
    (att,) = list(msg.iter_attachments())
    assert att.get_filename().endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(att.get_content()), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))  # 汇总, or the unit's own sheet
    col = rows[0].index("问题编号")
    return {r[col] for r in rows[1:]}


def test_each_unit_gets_only_its_own_findings_and_ledger(tmp_path: Path, smtp) -> None:
    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    result = _night(store, profile, FINDINGS, date(2026, 11, 2))
    report = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
    assert report["sent"] == 3 and report["pending"] == 0

    by_rcpt = {tuple(rcpts): msg for rcpts, msg in sink.received}
    # 区民政局 has no findings: no message; the office gets one message for both addresses.
    assert set(by_rcpt) == {("jyj@test.gov.cn",), ("wjj@test.gov.cn",), ("gkb@test.gov.cn", "zfb@test.gov.cn")}
    ids = {f.text: f.id for f in FINDINGS}

    jyj = by_rcpt[("jyj@test.gov.cn",)]
    assert _ledger_ids(jyj) == {ids["布署"], ids["<script>alert(1)</script>"], ids["严重错误原文"]}
    body = _html(jyj)
    assert "布署" in body and "帐号" not in body and "其它" not in body
    assert "待整改 3 项" in str(jyj["Subject"])
    # Crawled text is escaped; a javascript: URL from a page never becomes a link.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script" not in body
    assert "严重错误原文" in body and 'href="javascript' not in body

    wjj = by_rcpt[("wjj@test.gov.cn",)]
    assert _ledger_ids(wjj) == {ids["帐号"]}
    assert "帐号" in _html(wjj) and "布署" not in _html(wjj)

    office = by_rcpt[("gkb@test.gov.cn", "zfb@test.gov.cn")]
    assert _ledger_ids(office) == set(ids.values())
    text = _html(office)
    assert "单项否决风险" in text and "存在风险" in text  # a serious_error is a veto risk
    for unit in (JYJ, WJJ, "区民政局", "未分配"):
        assert unit in text
    assert "变化趋势" in text and "<svg" in text  # the trends chart travels in the office mail


def test_a_failed_night_then_a_good_one_sends_one_digest_per_unit(tmp_path: Path) -> None:
    port = reserved_port()  # nothing listens here yet: connection refused
    profile = _profile(tmp_path, port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    night1 = _night(store, profile, FINDINGS, date(2026, 11, 2))
    report = delivery.deliver(profile, store, tmp_path / "out1", night1, send=True, env={})
    assert report["sent"] == 0 and report["pending"] == 3 and report["errors"] and report["failed"]
    assert all(e.data["attempts"] == 1 and "127.0.0.1" in e.data["last_error"] for e in outbox.pending(store))

    with loopback_smtp(port=port) as ctl:
        sink = ctl.handler
        night2 = _night(store, profile, FINDINGS[:1], date(2026, 11, 3))
        report = delivery.deliver(profile, store, tmp_path / "out2", night2, send=True, env={})
        # Night 2's messages replace night 1's unsent ones: one digest each for 区教体局 and the
        # office; 区卫健局's problem is gone, so its stale night-1 list is not sent either.
        assert (report["sent"], report["pending"], report["superseded"], report["failed"]) == (2, 0, 3, False)
        runs = [(msg["X-Zhaocuo-Run"], tuple(rcpts)) for rcpts, msg in sink.received]
        assert sorted(r for _, r in runs) == [("gkb@test.gov.cn", "zfb@test.gov.cn"), ("jyj@test.gov.cn",)]
        assert {r for r, _ in runs} == {str(night2.summary["crawl_run"])}
        # Retrying the same run (e.g. the job restarted) sends nothing twice.
        again = delivery.deliver(profile, store, tmp_path / "out2", night2, send=True, env={})
        assert (again["queued"], again["sent"]) == (0, 0) and len(sink.received) == 2
        # Sent and superseded messages keep their key and headers, not their body.
        assert sorted(e.data["status"] for e in outbox.entries(store)) == ["sent"] * 2 + ["superseded"] * 3
        assert all(e.data["raw"] == "" and e.data["size"] > 0 for e in outbox.entries(store))


def test_reply_to_the_office_shanghai_time_and_attachment_names_older_outlook_reads(tmp_path: Path, smtp) -> None:
    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    result = _night(store, profile, FINDINGS, date(2026, 11, 2))
    delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
    jyj = next(msg for rcpts, msg in sink.received if rcpts == ["jyj@test.gov.cn"])
    assert jyj["Reply-To"] == "gkb@test.gov.cn, zfb@test.gov.cn"
    assert "gkb@test.gov.cn" in _html(jyj) and "回复本邮件交回" in _html(jyj)
    sent_at = email.utils.parsedate_to_datetime(jyj["Date"])
    assert sent_at.utcoffset() == dt.timedelta(hours=8)
    name = f"整改台账-{JYJ}-2026-11-02.xlsx"
    (att,) = list(jyj.iter_attachments())
    assert att.get_filename() == name  # RFC 2231, what current clients read
    raw = next((tmp_path / "out" / "outbox").glob("*区教体局*.eml")).read_bytes().decode("ascii")
    unfolded = raw.replace("\r\n ", " ")
    # RFC 2047 encoded words in name= and filename=: what Outlook 2007-2016 reads.
    for param in ("name", "filename"):
        value = re.search(rf'[; ]{param}="([^"]+)"', unfolded).group(1)
        assert value.startswith("=?UTF-8?B?")
        assert str(email.header.make_header(email.header.decode_header(value))) == name
    assert "filename*0*=UTF-8''" in raw
    assert max(len(line) for line in raw.split("\r\n")) <= 100


def test_no_mail_writes_the_outbox_only(tmp_path: Path, smtp) -> None:
    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    result = _night(store, profile, FINDINGS, date(2026, 11, 2))
    report = delivery.deliver(profile, store, tmp_path / "out", result, send=False, env={})
    assert (report["queued"], report["sent"], report["pending"]) == (3, 0, 3)
    assert sink.received == []
    copies = sorted((tmp_path / "out" / "outbox").glob("*.eml"))
    assert len(copies) == 3
    msgs = [email.message_from_bytes(p.read_bytes(), policy=default_policy) for p in copies]
    assert any("布署" in _html(m) for m in msgs)


def test_veto_risk_panel_counts_the_national_thresholds(tmp_path: Path, smtp) -> None:
    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    stale = [Finding(audit="stale_column", severity="high", url=HOME + f"jyj/c{i}/", column=f"栏目{i}",
                     unit=JYJ, message="栏目长期未更新。") for i in range(5)]
    blank = [Finding(audit="blank_column", severity="high", url=HOME + f"wjj/b{i}/", column=f"空栏{i}",
                     unit=WJJ, message="栏目为空。") for i in range(4)]
    result = _night(store, profile, stale + blank, date(2026, 11, 2), home_status=503)
    delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
    (office,) = [m for rcpts, m in sink.received if "gkb@test.gov.cn" in rcpts]
    risks = {r.label: r for r in mail.veto_risks(result.findings, result.data.homepage)}
    assert risks["栏目不更新（≥5个）"].hit and not risks["空白栏目（≥5个）"].hit
    assert risks["网站无法访问"].hit and "503" in risks["网站无法访问"].detail
    assert not risks["首页长期未更新"].hit and not risks["严重表述错误"].hit
    assert "5 个栏目" in _html(office) and "4 个栏目" in _html(office)


def test_newmedia_accounts_that_could_not_be_read_are_not_counted_stale(tmp_path: Path) -> None:
    profile = _profile(tmp_path, reserved_port())
    store = SQLiteStore(tmp_path / "s.sqlite")
    unread = Finding(audit="newmedia_stale", severity="high", url="https://example.org/a", unit=JYJ,
                     key="unreachable\x1f甲", message="账号无法访问。", extra={"kind": "unreachable"})
    stale = Finding(audit="newmedia_stale", severity="veto", url="https://example.org/b", unit=JYJ,
                    message="账号长期未更新。", extra={"kind": "stale"})
    result = _night(store, profile, [unread], date(2026, 11, 2))
    risks = {r.label: r for r in mail.veto_risks(result.findings, result.data.homepage)}
    assert not risks["政务新媒体长期未更新"].hit and "1 个账号无法访问" in risks["政务新媒体长期未更新"].detail
    assert not risks["网站无法访问"].hit and risks["网站无法访问"].detail == "首页可访问"
    risks = {r.label: r for r in mail.veto_risks([unread, stale], result.data.homepage)}
    assert risks["政务新媒体长期未更新"].hit


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_and_login_from_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=ok)  # handled=False: aiosmtpd answers 535 itself

    sink = Sink()
    with loopback_smtp(sink, tls_context=server_ctx, require_starttls=True, authenticator=authenticator, auth_require_tls=True) as ctl:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the private CA of this mail server
        profile = _profile(tmp_path, ctl.port, security="starttls", user_env="T_SMTP_USER",
                           password_env="T_SMTP_PASS")
        store = SQLiteStore(tmp_path / "s.sqlite")
        result = _night(store, profile, FINDINGS[:1], date(2026, 11, 2))
        bad = delivery.deliver(profile, store, tmp_path / "out", result, send=True,
                           env={"T_SMTP_USER": "zhaocuo", "T_SMTP_PASS": "wrong"})
        assert bad["sent"] == 0 and bad["pending"] == 2 and "Authentication" in bad["errors"][0]
        good = delivery.deliver(profile, store, tmp_path / "out", result, send=True,
                            env={"T_SMTP_USER": "zhaocuo", "T_SMTP_PASS": "s3cret"})
        assert good["sent"] == 2 and len(sink.received) == 2
        # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
        assert logins[-1] == (b"zhaocuo", b"s3cret")
        assert set(logins[:-1]) == {(b"zhaocuo", b"wrong")}


def test_implicit_tls_ssl_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    sink = Sink()
    with loopback_smtp(sink, ssl_context=server_ctx) as ctl:
        profile = _profile(tmp_path, ctl.port, security="ssl")
        store = SQLiteStore(tmp_path / "s.sqlite")
        result = _night(store, profile, FINDINGS[:1], date(2026, 11, 2))
        # Without trusting the server's private CA the certificate check fails: nothing sent, kept.
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
        first = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
        assert first["sent"] == 0 and "CERTIFICATE_VERIFY_FAILED" in first["errors"][0]
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        second = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
        assert second["sent"] == 2 and len(sink.received) == 2


class Picky(Sink):
    """Refuses one mailbox for good (550) and another for now (451)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("wjj@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("jyj@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_permanent_rejection_is_not_retried_but_temporary_is(tmp_path: Path) -> None:
    sink = Picky()
    with loopback_smtp(sink) as ctl:
        profile = _profile(tmp_path, ctl.port)
        store = SQLiteStore(tmp_path / "s.sqlite")
        result = _night(store, profile, FINDINGS, date(2026, 11, 2))
        first = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
        assert first["sent"] == 1 and first["pending"] == 1  # the office got it; 区教体局 waits
        status = {e.data["recipient"]: e.data["status"] for e in outbox.entries(store)}
        assert status == {"office": "sent", f"unit:{JYJ}": "pending", f"unit:{WJJ}": "rejected"}
        second = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
        # Only the temporary failure is tried again.
        assert second["sent"] == 0 and len(second["errors"]) == 1 and "451" in second["errors"][0]


def test_a_ledger_too_big_for_mail_is_left_out_with_a_note(tmp_path: Path, smtp,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ctl, sink = smtp
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_BYTES", 1000)
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    result = _night(store, profile, FINDINGS, date(2026, 11, 2))
    report = delivery.deliver(profile, store, tmp_path / "out", result, send=True, env={})
    assert report["sent"] == 3
    for _, msg in sink.received:
        assert list(msg.iter_attachments()) == []
        assert "超过邮件附件上限" in _html(msg)


def test_password_is_never_sent_in_clear(tmp_path: Path, smtp) -> None:
    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)  # security = "none"
    store = SQLiteStore(tmp_path / "s.sqlite")
    result = _night(store, profile, FINDINGS[:1], date(2026, 11, 2))
    report = delivery.deliver(profile, store, tmp_path / "out", result, send=True,
                          env={"ZHAOCUO_SMTP_USER": "u", "ZHAOCUO_SMTP_PASSWORD": "p"})
    assert report["sent"] == 0 and report["pending"] == 2 and "unencrypted" in report["errors"][0]
    assert sink.received == []


def test_the_office_sees_claims_waiting_and_a_unit_is_told_why_its_claim_was_rejected(tmp_path: Path, smtp) -> None:
    from zhaocuo.app import review

    ctl, sink = smtp
    profile = _profile(tmp_path, ctl.port)
    store = SQLiteStore(tmp_path / "s.sqlite")
    night1 = _night(store, profile, FINDINGS, date(2026, 11, 2))
    by_text = {f.text: f for f in night1.findings}
    with store.transaction():
        waiting, _ = review.file_claim(store, ledger_id=by_text["布署"].id, findings=[by_text["布署"]], claimed_by=JYJ,
                                       reason="专有名词“布署系统”", source={}, by="clerk")
        refused, _ = review.file_claim(store, ledger_id=by_text["帐号"].id, findings=[by_text["帐号"]], claimed_by=WJJ,
                                       reason="习惯写法", source={}, by="clerk")
        review.decide(store, refused["id"], "reject", "王主任", "“帐号”应统一为“账号”")
    night2 = _night(store, profile, FINDINGS, date(2026, 11, 3))
    delivery.deliver(profile, store, tmp_path / "out", night2, send=True, env={})
    by_rcpt = {tuple(rcpts): msg for rcpts, msg in sink.received}
    office = _html(by_rcpt[("gkb@test.gov.cn", "zfb@test.gov.cn")])
    assert "误报申请待审核 <b" in office and f"#{waiting['id']}" in office and "专有名词“布署系统”" in office
    assert "--review" in office and "误报申请待审核 1 项" in str(by_rcpt[("gkb@test.gov.cn", "zfb@test.gov.cn")]["Subject"])
    wjj = _html(by_rcpt[("wjj@test.gov.cn",)])
    assert "未获同意" in wjj and "“帐号”应统一为“账号”" in wjj
    jyj = _html(by_rcpt[("jyj@test.gov.cn",)])
    assert "误报申请 1 项待办公室审核" in jyj and "布署" in jyj  # still listed while pending
