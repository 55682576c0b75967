"""How fast and how small a returned ledger that is a zip bomb is refused.

A unit's ledger (a real xlsx written by reports.ledger) with its shared strings replaced by one
cell of 1.15 GB, compressed to about 1.1 MB (tests/support/zipbomb.py), once with an honest
header and once with a header that claims 1,000 bytes. Each is read by `zhaocuo.app.feedback`
in a fresh process, which prints the seconds to the refusal and its peak RSS. Target: refused
within 1 s and 200 MB. The test (tests/test_feedback_zip_bomb.py) pins what is inflated; the
time is measured here, never asserted in a test.

    .venv/bin/python bench/zipbomb_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.ledger import write_ledger  # noqa: E402
from tests.support.reportdata import titles  # noqa: E402
from tests.support.zipbomb import READ_LEDGER_PROBE, bomb_xlsx  # noqa: E402
from zhaocuo.core.finding import Finding  # noqa: E402

SIZE = 1_150 * 1024 * 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        finding = Finding(audit="typo", severity="medium", url="http://www.test.gov.cn/jyj/1.html", text="布署",
                          unit="区教体局", message="错字。")
        valid = write_ledger(work / "valid.xlsx", [finding], titles(), unit="区教体局")
        for label, declared in (("honest header", None), ("lying header (declares 1,000 bytes)", 1000)):
            bomb = bomb_xlsx(valid, work / "bomb.xlsx", SIZE, declared=declared)
            out = subprocess.run([sys.executable, "-c", READ_LEDGER_PROBE, str(bomb)], cwd=ROOT, capture_output=True,
                                 text=True, timeout=120, check=True)
            r = json.loads(out.stdout)
            print(f"{label}: {bomb.stat().st_size / 2**20:.1f} MB file inflating to {SIZE / 2**30:.2f} GB: "
                  f"refused={'zip bomb' in r['error']} in {r['s']:.3f} s, peak {r['peak_mb']:.0f} MB RSS "
                  f"(target: within 1 s and 200 MB)")


if __name__ == "__main__":
    main()
