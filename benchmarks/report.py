"""Each benchmark script owns one section of BENCHMARKS.md and rewrites only that section."""

from __future__ import annotations

import datetime as dt
import platform
import re
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\n"
    "Every figure below is printed by a script in `benchmarks/`; none is typed by hand. Re-run a script to\n"
    "refresh its section. These machines are noisy, so each section compares against a baseline measured\n"
    "in the same run and reports ratios.\n"
)


def machine_line() -> str:
    """One line describing where and when the figures were measured."""
    import os

    return (
        f"_Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}._"
    )


def write_section(name: str, markdown: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md with ``markdown``."""
    start, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"{start}\n{markdown.rstrip()}\n\n{machine_line()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    )
    path.write_text(text, encoding="utf-8")


def with_interval(value: float | None, span: tuple[float, float] | None, digits: int = 2) -> str:
    """A figure with its bootstrap interval: ``0.961 [0.940, 0.979]`` ('–' when missing)."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}" + (f" [{span[0]:.{digits}f}, {span[1]:.{digits}f}]" if span else "")
