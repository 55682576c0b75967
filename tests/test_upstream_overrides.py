"""Private upstream code the crawler overrides or calls, pinned by the hash of its source.

crawler/downloader.py copies Scrapy's ``Downloader._process_queue`` (to fix per-host limits
under the asyncio reactor), crawler/playwright_handler.py overrides private methods of
scrapy-playwright's handler, crawler/tls_scrapy.py subclasses Scrapy's private TLS context
factory and calls Twisted's private ``_sslverify``. pyproject.toml bounds those packages to
the releases checked; this test fails loudly when an installed release changes any of these
functions, so the override is reviewed against the new upstream code instead of silently
drifting. When it fails: read the upstream change, adapt our code, then update the hash.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import textwrap

import pytest

PINNED = {
    ("scrapy.core.downloader", "Downloader._process_queue"): "5f1fac56964ae971",
    ("scrapy.core.downloader", "Downloader._wait_for_download"): "17ec03b7748b0fd5",
    ("scrapy.utils.defer", "_schedule_coro"): "559a320e3737e7cb",
    ("scrapy.core.downloader.contextfactory", "_ScrapyClientContextFactory.__init__"): "a81d3b3c4c35abf0",
    ("scrapy.core.downloader.contextfactory", "_ScrapyClientContextFactory.creatorForNetloc"): "cf3725ace71e666f",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler.__init__"): "c8914d0d58d7f9c0",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler._maybe_launch_in_thread"): "ccdf814eec1d0aa4",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler._engine_started"): "7affe67a5a2355ac",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler._download_request"): "b1605518d6ba67e8",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler._create_page"): "dee3b61bbdc8ee07",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler._launch"): "0da3530a9cede438",
    ("scrapy_playwright.handler", "ScrapyPlaywrightDownloadHandler.close"): "65901983f8e3935e",
    ("twisted.internet._sslverify", "ClientTLSOptions.__init__"): "8616247b1486256f",
    ("twisted.internet._sslverify", "OpenSSLCertificateOptions._makeTLSConnection"): "1eb3b995da6a964c",
    ("twisted.internet._sslverify", "_verifyCB"): "2738d6da78141eb7",
}


def _source_hash(module: str, qualname: str) -> str:
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return hashlib.sha256(textwrap.dedent(inspect.getsource(obj)).encode()).hexdigest()[:16]


@pytest.mark.parametrize(("module", "qualname"), sorted(PINNED))
def test_overridden_upstream_code_is_the_code_we_checked(module: str, qualname: str) -> None:
    got = _source_hash(module, qualname)
    assert got == PINNED[(module, qualname)], (
        f"{module}.{qualname} changed upstream (source hash {got}): review the override in crawler/ "
        f"against the new code, adapt it, then update PINNED in {__file__} and the bound in pyproject.toml")
