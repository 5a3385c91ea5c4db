"""Write each notebook's jupytext ``py:percent`` twin to notebooks/py/, or check them.

    .venv/bin/python scripts/pair_notebooks.py           # write (make pair)
    .venv/bin/python scripts/pair_notebooks.py --check   # exit 1 and name the stale ones

The twin holds the cells' sources only (no outputs, no metadata), so a change to a notebook
reads as a code diff in review. The notebook stays the source of truth: edit it, then pair.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TWINS = NOTEBOOKS / "py"


def twin_text(notebook: Path) -> str:
    """The py:percent text of ``notebook``: sources only, so versions and outputs never show."""
    nb = jupytext.read(notebook)
    nb.metadata["jupytext"] = {"notebook_metadata_filter": "-all",
                               "cell_metadata_filter": "-all"}
    return jupytext.writes(nb, fmt="py:percent")


def stale(notebooks: list[Path]) -> list[str]:
    """Names of the twins that are missing, out of date, or left over from a removed notebook."""
    names = {nb.stem for nb in notebooks}
    out = [nb.stem for nb in notebooks
           if not (TWINS / f"{nb.stem}.py").exists()
           or (TWINS / f"{nb.stem}.py").read_text(encoding="utf-8") != twin_text(nb)]
    out += [p.stem for p in TWINS.glob("*.py") if p.stem not in names]
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale twins")
    args = parser.parse_args(argv)
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.check:
        bad = stale(notebooks)
        for name in bad:
            print(f"notebooks/py/{name}.py is out of date: run `make pair`")
        return 1 if bad else 0
    TWINS.mkdir(exist_ok=True)
    for p in TWINS.glob("*.py"):
        if p.stem not in {nb.stem for nb in notebooks}:
            p.unlink()
    for nb in notebooks:
        (TWINS / f"{nb.stem}.py").write_text(twin_text(nb), encoding="utf-8")
    print(f"paired {len(notebooks)} notebooks in {TWINS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
