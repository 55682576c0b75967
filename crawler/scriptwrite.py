"""What a page's small inline scripts show a reader, read without running them.

CMS templates print facts through scripts: TRS writes an article's date with
``var pubdata='2012年06月01日'; if(pubdata!=''){document.write(pubdata);}`` right after
"发布时间：", and some channel roots are only ``if(lm=="政务公开"){document.write('<meta
http-equiv="Refresh" …>')}`` or ``location.href = "./ywyw/"``. A browser shows that date and
follows that redirect; a parser that drops scripts sees an undated page and a blank column.

Only the simplest, fully literal forms are read: ``document.write`` of string literals and of
variables assigned a string literal in the same script, joined with ``+``, skipped when the
nearest ``if (a == b)`` / ``if (a != '')`` around it compares known values and is false; and a
``location`` assignment, ``location.replace``/``assign`` of one string literal. Anything else (a
function call, an unknown variable) is not guessed at. Nothing is executed.
"""

from __future__ import annotations

import re

MAX_SCRIPT_CHARS = 20_000
MAX_WRITES = 20
MAX_WRITTEN_CHARS = 4000

_STR = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_VAR = re.compile(rf"""(?:\bvar\s+|\blet\s+|\bconst\s+|^|[;{{}}\s])([A-Za-z_$][\w$]*)\s*=\s*({_STR})\s*(?=;|\n|$)""", re.M)
_WRITE = re.compile(r"document\.write(?:ln)?\s*\(")
_IF = re.compile(rf"""\bif\s*\(\s*([\w$]+|{_STR})\s*(===?|!==?)\s*([\w$]+|{_STR})\s*\)""")
_REDIRECT = re.compile(
    rf"""(?:\b(?:window|self|top|document)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*({_STR})\s*(?=;|\n|$|<)"""
    rf"""|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*({_STR})\s*\)""")


def _unquote(lit: str) -> str:
    body = lit[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _variables(code: str) -> dict[str, str]:
    return {m.group(1): _unquote(m.group(2)) for m in _VAR.finditer(code)}


def _args(code: str, start: int) -> str | None:
    """The text between the parenthesis opened before ``start`` and its match (quotes respected)."""
    depth, i, quote = 1, start, ""
    while i < len(code) and i - start < MAX_WRITTEN_CHARS * 2:
        c = code[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return code[start:i]
        i += 1
    return None


def _value(term: str, variables: dict[str, str]) -> str | None:
    term = term.strip()
    if len(term) >= 2 and term[0] == term[-1] and term[0] in "'\"":
        return _unquote(term)
    return variables.get(term)


def _concat(expr: str, variables: dict[str, str]) -> str | None:
    """``'a' + name + "b"`` with every term known, else None."""
    parts = re.findall(rf"""{_STR}|[^+'"]+""", expr)
    out = []
    for part in parts:
        if not part.strip():
            continue
        value = _value(part, variables)
        if value is None:
            return None
        out.append(value)
    return "".join(out)


def _condition_holds(code: str, pos: int, variables: dict[str, str]) -> bool:
    """False only when the nearest ``if (…)`` opened before ``pos`` (and not closed) is known false."""
    before = code[:pos]
    last = None
    for m in _IF.finditer(before):
        last = m
    if last is None or "}" in before[last.end():]:
        return True
    a, op, b = _value(last.group(1), variables), last.group(2), _value(last.group(3), variables)
    if a is None or b is None:
        return True
    return (a == b) if op.startswith("==") else (a != b)


def written(code: str) -> list[str]:
    """The literal HTML/text the script's ``document.write`` calls print, in order."""
    if "document.write" not in code or len(code) > MAX_SCRIPT_CHARS:
        return []
    variables = _variables(code)
    out: list[str] = []
    for m in _WRITE.finditer(code):
        if len(out) >= MAX_WRITES:
            break
        args = _args(code, m.end())
        if args is None:
            continue
        value = _concat(args, variables)
        if value is None or not _condition_holds(code, m.start(), variables):
            continue
        out.append(value[:MAX_WRITTEN_CHARS])
    return out


def redirect_target(code: str) -> str | None:
    """The one literal address the script sends the visitor to, or None."""
    if "location" not in code or len(code) > MAX_SCRIPT_CHARS:
        return None
    targets = {_unquote(m.group(1) or m.group(2)).strip() for m in _REDIRECT.finditer(code)}
    targets.discard("")
    return targets.pop() if len(targets) == 1 else None
