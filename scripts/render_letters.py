"""Render every letter kind from the sample answers to PDFs and PNGs (docs/letters/).

    .venv/bin/python scripts/render_letters.py [--out docs/letters] [--keep-pdf]

Needs poppler-utils (pdftoppm). Look at the PNGs before calling a letter change done.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.printing.letters import render_inquiry_pdf  # noqa: E402
from tests.support.samples import sample_letters  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/letters")
    parser.add_argument("--keep-pdf", action="store_true", help="keep the PDFs beside the PNGs")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for kind, (answer, certificate) in sample_letters().items():
        pdf = out / f"{kind}.pdf"
        pdf.write_bytes(render_inquiry_pdf(answer, certificate=certificate))
        # -singlefile: one PNG per letter (every sample fits one page).
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(out / kind)],
                       check=True)
        if not args.keep_pdf:
            pdf.unlink()
        print(out / f"{kind}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
