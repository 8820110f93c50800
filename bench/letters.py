"""Letter printing speed: one JSON document on stdout.

    .venv/bin/python bench/letters.py [--repeat 60] [--batch 1000]

- `letter_ms_median`: median time to produce one letter PDF (goal < 30 ms), over every sample
  kind with a fresh tracking code each time (so nothing answer-specific is cached);
- `bare_ms_median`: a bare ReportLab A4 page in the same font with the same strings UNSHAPED
  (no reshaping, no bidi, no QR, no table rules), measured in the same run; `ratio` is
  letter / bare;
- `batch_seconds`: 1,000 letters as one PDF through render_batch (goal < 30 s).

Wall-clock figures depend on what else the machine runs (its load average is reported);
the `*_cpu_*` figures are this process's CPU time for the same work.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from desktop.domain.inquiry import InquiryAnswer, Requester  # noqa: E402
from desktop.domain.letters import (  # noqa: E402
    ORGANISATION,
    SALUTATION,
    TABLE_HEADERS,
    letter_content,
)
from desktop.printing.letters import Letter, render_batch, render_inquiry_pdf  # noqa: E402
from desktop.printing.persian import FONT, register_fonts  # noqa: E402
from tests.support.samples import sample_letters  # noqa: E402


def _answers(count: int) -> list[Letter]:
    kinds = list(sample_letters().values())
    out = []
    for i in range(count):
        answer, certificate = kinds[i % len(kinds)]
        out.append((replace(answer, tracking_code=f"1021{i:08d}7"), certificate))
    return out


def _strings(answer: InquiryAnswer, certificate: Requester | None) -> list[str]:
    c = letter_content(answer, certificate)
    rows = [" ".join(r) for r in c.table]
    return [ORGANISATION, c.branch, c.date, c.tracking_code, c.title, c.authority, SALUTATION,
            *c.paragraphs, " ".join(TABLE_HEADERS), *rows, *(f"{k}: {v}" for k, v in c.details),
            *c.closing, c.tracking_code]


def bare_page(strings: list[str]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setFont(FONT, 11)
    y = 790
    for s in strings:
        canvas.drawRightString(545, y, s)
        y -= 20
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _median_ms(fn, items) -> tuple[float, float]:
    """Median wall and CPU milliseconds of fn(item) over the items."""
    wall, cpu = [], []
    for item in items:
        t0, c0 = time.perf_counter(), time.process_time()
        fn(item)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    register_fonts()
    warm = _answers(9)
    for answer, certificate in warm:  # font parsing, constant strings' shapes
        render_inquiry_pdf(answer, certificate=certificate)
        bare_page(_strings(answer, certificate))
    items = _answers(args.repeat)
    letter, letter_cpu = _median_ms(
        lambda item: render_inquiry_pdf(item[0], certificate=item[1]), items)
    prepared = [_strings(a, c) for a, c in items]
    bare, bare_cpu = _median_ms(bare_page, prepared)
    batch = [(a, None) for a, _ in _answers(args.batch)]  # as letters, not certificates
    t0, c0 = time.perf_counter(), time.process_time()
    pdf = render_batch(batch)
    batch_s, batch_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({
        "letter_ms_median": round(letter, 2), "letter_cpu_ms_median": round(letter_cpu, 2),
        "letter_goal_ms": 30,
        "bare_ms_median": round(bare, 2), "bare_cpu_ms_median": round(bare_cpu, 2),
        "ratio": round(letter / bare, 2), "ratio_cpu": round(letter_cpu / bare_cpu, 2),
        "samples": args.repeat, "batch_letters": args.batch,
        "batch_seconds": round(batch_s, 2), "batch_cpu_seconds": round(batch_cpu, 2),
        "batch_goal_seconds": 30, "batch_pdf_bytes": len(pdf),
        "load_average_1min": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count(),
        "ok": letter < 30 and batch_s < 30,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
