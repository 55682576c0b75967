"""Optional neural corrector: pycorrector's MacBERT, only from a local model folder.

Used when the profile's ``[text].macbert_dir`` names a folder holding a BERT masked-LM model
and its vocabulary (e.g. a copy of macbert4csc-base-chinese). Nothing is ever downloaded:
``local_files_only`` is forced, and a missing or unreadable folder is a profile error naming
the key. Only one-character substitutions of a Han character by a Han character are kept,
and only above a high confidence: the model's other edits (spaces, punctuation, insertions)
are not typos a unit can act on.
"""

from __future__ import annotations

import os
from pathlib import Path

from zhaocuo.core.profile import ProfileError

CONFIDENCE = 0.9
MAX_LEN = 128


class MacBert:
    def __init__(self, corrector: object, folder: Path) -> None:
        self.corrector = corrector
        self.folder = folder

    def check(self, text: str) -> list:
        from audits._lexicon import is_han
        from audits._proofread import TextError

        if not any(is_han(c) for c in text):
            return []
        result = self.corrector.correct_batch([text], max_length=MAX_LEN, threshold=CONFIDENCE, silent=True)[0]
        out = []
        for wrong, right, pos in result.get("errors", []):
            if (len(wrong) == 1 and len(right) == 1 and is_han(wrong) and is_han(right)
                    and 0 <= pos < len(text) and text[pos] == wrong):
                out.append(TextError(pos, wrong, right, "typo", "macbert"))
        return out


def load_macbert(folder: str | Path, profile_path: str | Path = "profile") -> MacBert:
    """Load the model from ``folder``; ProfileError (text.macbert_dir) when it cannot be."""
    folder = Path(folder)
    if not (folder / "config.json").is_file() or not (folder / "vocab.txt").is_file():
        raise ProfileError(profile_path, "text.macbert_dir",
                           f"{folder} 不是本地 MacBERT 模型目录 (needs config.json, vocab.txt and the weights)")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import torch  # noqa: F401 - the optional [macbert] extra
    except ImportError:
        raise ProfileError(profile_path, "text.macbert_dir",
                           "需要可选组件 needs the optional extra: pip install 'zhaocuo[macbert]' (torch)") from None
    try:
        from pycorrector.macbert.macbert_corrector import MacBertCorrector

        corrector = MacBertCorrector(str(folder))
    except Exception as exc:  # noqa: BLE001 - any loading failure is the folder's fault
        raise ProfileError(profile_path, "text.macbert_dir", f"{folder}: 无法加载模型 cannot load ({exc})") from None
    return MacBert(corrector, folder)
