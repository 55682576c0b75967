"""The optional MacBERT corrector loads from a local folder only: a tiny randomly initialised
BERT masked-LM and vocabulary are built here (no model can be downloaded), loaded through the
profile's [text].macbert_dir, and run; a folder that is not a model is a profile error."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits._models import Models
from audits._proofread import Proofreader
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from zhaocuo.core.profile import ProfileError, load_profile

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def _tiny_bert(folder: Path) -> Path:
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    chars = list("我们对工作进行部署布署区里召开会议。，")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(chars)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=160)
    BertForMaskedLM(config).save_pretrained(folder)
    from transformers import BertTokenizerFast

    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    return folder


def test_local_macbert_model_is_loaded_and_run(proof_models: Models, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the optional [macbert] extra (torch) is not installed; make test installs it")
    model = _tiny_bert(tmp_path / "macbert")
    profile = load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://127.0.0.1:1/"]}, "text": {"macbert_dir": "macbert"}}))
    checker = Proofreader(profile, models=proof_models)
    assert checker._macbert is not None and checker._macbert.folder == model
    errors = checker.check("区里召开会议，我们对工作进行布署。")
    # The curated list still finds 布署; whatever the random model says is a single Han substitution.
    assert any(e.text == "布署" for e in errors)
    for e in errors:
        if e.rule == "macbert":
            assert len(e.text) == 1 and len(e.suggestion) == 1


def test_missing_model_folder_is_a_profile_error_naming_the_key(proof_models: Models, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    profile = load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://127.0.0.1:1/"]}, "text": {"macbert_dir": "empty"}}))
    with pytest.raises(ProfileError) as err:
        Proofreader(profile, models=proof_models)
    assert "text.macbert_dir" in str(err.value)
    proc = run_cli("check-text", "-", "--config", str(profile.path), input="布署\n", timeout=120)
    assert proc.returncode == 2
    assert "text.macbert_dir" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_without_the_optional_extra_the_key_is_named_with_the_install_line(tmp_path: Path) -> None:
    """A user who sets macbert_dir on an install without torch gets exit 2 naming the key and
    the extra to install, before any crawl (torch hidden from a child process)."""
    import subprocess
    import sys

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "m" / "vocab.txt").write_text("[PAD]\n", encoding="utf-8")
    path = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:1/"]}, "text": {"macbert_dir": "m"}})
    code = ("import sys; sys.modules['torch'] = None; sys.argv = ['zhaocuo', 'check-text', '-', '--config', "
            f"{str(path)!r}]; from zhaocuo.app.cli import main; sys.exit(main())")
    proc = subprocess.run([sys.executable, "-c", code], input="布署\n", capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 2, proc.stderr
    assert "text.macbert_dir" in proc.stderr and "zhaocuo[macbert]" in proc.stderr
