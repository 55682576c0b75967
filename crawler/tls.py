"""TLS as a visitor's browser sees it: certificates verified, an internal CA trusted on request.

Scrapy does not verify certificates by default; the crawl and the link checker do
(crawler.tls_scrapy.VerifyingContextFactory): the system's CAs plus ``[crawl] ca_file`` (a staging site's
internal CA). A failed verification is explained — expired, not yet valid, self-signed, the
wrong host name, an unknown issuer — from the verify callback's error code, so a dead link or
an unreachable start URL says which (``problem(netloc)``).

One case a browser handles and OpenSSL does not: a server that leaves out its intermediate
certificate. Browsers fetch it (the certificate's AIA address) and show the page, so an
unknown issuer on *another* site's link is not called dead: that link is fetched again without
verification (no credentials ever go there, crawler.access) and judged by its answer, as before
certificates were verified. On the site's own hosts an unknown issuer stays an error: that is
the internal-CA case, and the message names ``crawl.ca_file``.

The browser (Chromium) has its own trust store: for a profile with ``ca_file``,
``chromium_spki_pins`` verifies the site's own HTTPS hosts here, with Python's ssl and the same
trust, and pins the public keys of the certificates that passed
(``--ignore-certificate-errors-spki-list``), so the browser accepts exactly what was verified.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zhaocuo.core.profile import Profile

log = logging.getLogger("zhaocuo.crawler")

# OpenSSL X509_V_ERR_* codes → (kind, Chinese and English reason).
UNKNOWN_ISSUER = "unknown_issuer"
_CODES: dict[int, tuple[str, str]] = {
    2: (UNKNOWN_ISSUER, "证书颁发机构未知或证书链不完整 unknown issuer or incomplete chain"),
    20: (UNKNOWN_ISSUER, "证书颁发机构未知或证书链不完整 unknown issuer or incomplete chain"),
    21: (UNKNOWN_ISSUER, "证书颁发机构未知或证书链不完整 unknown issuer or incomplete chain"),
    9: ("not_yet_valid", "证书尚未生效 certificate not yet valid"),
    10: ("expired", "证书已过期 certificate has expired"),
    18: ("self_signed", "自签名证书 self-signed certificate"),
    19: ("untrusted_root", "证书链的根证书不受信任 untrusted root certificate in the chain"),
    23: ("revoked", "证书已被吊销 certificate revoked"),
}
HOSTNAME = ("hostname", "证书与域名不符 certificate does not match the host name")
CA_FILE_HINT = "；如为内部 CA 签发，请在配置中设置 crawl.ca_file (internal CA? set crawl.ca_file)"


def ca_path(profile: Profile) -> str:
    return str(profile.resolve_path(profile.crawl.ca_file)) if profile.crawl.ca_file else ""


def describe(code: int) -> tuple[str, str]:
    return _CODES.get(code, ("verify_failed", f"证书验证失败 certificate verify failed (OpenSSL error {code})"))


def load_trust(ctx: Any, ca_file: str) -> None:
    """The system's CAs (as Python's ssl finds them, SSL_CERT_FILE honoured) and ``ca_file``."""
    paths = ssl.get_default_verify_paths()
    cafile = paths.cafile if paths.cafile and Path(paths.cafile).exists() else None
    capath = paths.capath if paths.capath and Path(paths.capath).is_dir() else None
    if cafile or capath:
        ctx.load_verify_locations(cafile, capath)
    else:
        ctx.set_default_verify_paths()
    if ca_file:
        ctx.load_verify_locations(ca_file)


# -- the browser ---------------------------------------------------------------------------------
def _resolve(host: str, profile: Profile) -> str:
    """An address for ``host``: the profile's name servers when it has them, else the system's."""
    if profile.dns.nameservers:
        from crawler.ipv6_dns import make_resolver

        resolver, _ = make_resolver(profile.dns.nameservers, profile.dns.timeout_s)
        if resolver is not None:
            for rtype in ("A", "AAAA"):
                try:
                    return resolver.resolve(host, rtype)[0].to_text()
                except Exception:  # noqa: BLE001 - NXDOMAIN, timeout…: try the next type
                    continue
    return host


def verified_leaf_spki(host: str, port: int, profile: Profile, timeout: float = 10.0) -> str | None:
    """The base64 SHA-256 of the public key of ``host:port``'s certificate when it verifies with
    the system CAs and ``ca_file``; None when it does not or the host does not answer."""
    ctx = ssl.create_default_context()
    load_trust(ctx, ca_path(profile))
    try:
        with socket.create_connection((_resolve(host, profile), port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError, ValueError) as exc:
        log.debug("TLS check of %s:%s for the browser failed: %s", host, port, exc)
        return None
    if not der:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    spki = x509.load_der_x509_certificate(der).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def chromium_spki_pins(profile: Profile) -> list[str]:
    """Pins for ``--ignore-certificate-errors-spki-list``: the verified certificates of the site's
    own HTTPS hosts (ports of the HTTPS start URLs, and 443). Empty without ``ca_file``."""
    if not profile.crawl.ca_file:
        return []
    ports = {urlsplit(u).port or 443 for u in profile.site.start_urls if u.startswith("https://")} | {443}
    netlocs: set[tuple[str, int]] = set()
    for entry in profile.site.allowed_hosts:
        parts = urlsplit("//" + entry.strip().lower())
        host = (parts.hostname or "").rstrip(".")
        if host:
            netlocs |= {(host, parts.port)} if parts.port else {(host, p) for p in ports}
    pins: list[str] = []
    timeout = min(profile.crawl.timeout_s, 10.0)
    for host, port in sorted(netlocs):
        pin = verified_leaf_spki(host, port, profile, timeout)
        if pin and pin not in pins:
            pins.append(pin)
    return pins
