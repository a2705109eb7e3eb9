"""Edits of a copied config repository, as a pull request would make them."""

from __future__ import annotations

import re
from pathlib import Path


def swap_pair(root: Path, cycle: str, shift: str) -> None:
    """Swap the primary and backup of `shift` in the cycle starting `cycle`."""
    path = root / "rotations" / "set.yaml"
    text = path.read_text(encoding="utf-8")
    head = text.index(f"- start: {cycle}")
    tail = text.find("- start:", head + 1)
    block = text[head : tail if tail > 0 else None]
    pattern = rf"{shift}: \{{primary: (\w+), backup: (\w+)\}}"
    swapped = re.sub(pattern, rf"{shift}: {{primary: \2, backup: \1}}", block, count=1)
    assert swapped != block, f"no {shift} pair in cycle {cycle}"
    path.write_text(text.replace(block, swapped), encoding="utf-8")


def cut_cycles_from(root: Path, cycle: str) -> None:
    """Remove the cycle starting `cycle` and every later one (they end the file)."""
    path = root / "rotations" / "set.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index(f"  - start: {cycle}")], encoding="utf-8")


def keep_overrides(root: Path, count: int) -> None:
    """Keep only the first `count` overrides of rotations/overrides.yaml."""
    path = root / "rotations" / "overrides.yaml"
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^  (?:# .*\n  )*- id:", text, re.M)]
    kept = text[: starts[count]] if count < len(starts) else text
    if count == 0:
        kept = kept.replace("overrides:\n", "overrides: []\n")
    path.write_text(kept, encoding="utf-8")


def drop_overrides(root: Path, *ids: str) -> None:
    """Remove the named overrides (and the comment lines just above them)."""
    path = root / "rotations" / "overrides.yaml"
    text = path.read_text(encoding="utf-8")
    for override_id in ids:
        entry = re.search(
            rf"(?:^  # .*\n)*^  - id: {re.escape(override_id)}\n(?:^    .*\n)*", text, re.M
        )
        assert entry, override_id
        text = text[: entry.start()] + text[entry.end() :]
    path.write_text(text, encoding="utf-8")


def add_override(root: Path, body: str) -> None:
    path = root / "rotations" / "overrides.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + body, encoding="utf-8")


SWAP_TOMORROW = """\
  - id: swap-elif-femi-tomorrow
    role: primary
    shift: emea
    person: femi
    start: '2026-12-02T09:00:00+01:00'
    end: '2026-12-03T09:00:00+01:00'
  - id: swap-femi-elif-tomorrow
    role: backup
    shift: emea
    person: elif
    start: '2026-12-02T09:00:00+01:00'
    end: '2026-12-03T09:00:00+01:00'
"""
