"""Regenerate what the repository keeps from the companion scripts, or check that it is current.

    python companion/regenerate.py          # write the files
    python companion/regenerate.py --check  # compare, print what differs, exit 1 on a difference

It writes three kinds of file:
- companion/reference_output_cpu.txt: everything the notebook's cells print, run top to
  bottom on the CPU, in its `=== cell N` layout, produced by running the companion scripts
  cell by cell (the scripts follow the notebook's sections and random draws). The site shows
  how each demo's printout matches it, so it lives beside the scripts, not among the tests.
  One line differs from the notebook's own printout (companion/notebook_output_cpu.txt, kept
  verbatim) by design: §3's "comparable loss" claim, which training.py prints only where its
  numbers bear it out.
- tests/fixtures/torch_rng_fixtures.json: what torch.manual_seed(seed) followed by a few
  torch.randn / torch.rand calls returns (float32, CPU), for demos/random.test.ts.
- companion/*.ipynb: each companion script as a Jupyter notebook, one cell per `# %%` cell.

The files are written byte for byte the same on every run of the same torch build, so a
difference means a script, the maths or torch changed.
"""

import argparse
import contextlib
import difflib
import io
import json
import sys
from pathlib import Path

import nbformat
import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURES = ROOT / "tests" / "fixtures"
SCRIPTS = ["low_rank", "implementation", "training", "merging", "rank", "adapters", "savings", "language_model"]

# Which printing cells of which script give the notebook's cells 3-11 (cells 1, 2 and 8 print
# nothing but the device line, or only plot).
NOTEBOOK_CELLS = {
    3: ("implementation", 0),
    4: ("training", 0),
    5: ("training", 1),
    6: ("training", 2),
    7: ("merging", 0),
    9: ("rank", 0),
    10: ("adapters", 0),
    11: ("savings", 0),
}

# The cases of torch_rng_fixtures.json: the short-tensor (float64 Box-Muller) path, the 16-block
# path with and without a remainder, the generator state carried across calls, the notebook's
# §1 draws, and rand.
RNG_CASES = [
    (42, [("randn", [3]), ("randn", [5]), ("randn", [16]), ("randn", [17]), ("randn", [4, 8])]),
    (42, [("randn", [64, 64]), ("randn", [64, 4]), ("randn", [4, 64]), ("randn", [64, 64])]),
    (0, [("rand", [10]), ("randn", [1]), ("randn", [15]), ("randn", [33])]),
]


def percent_cells(source):
    """Split a percent-format script into [(kind, text)], kind 'markdown' or 'code'."""
    cells, kind, lines = [], None, []

    def flush():
        text = "\n".join(lines).strip("\n")
        if kind and text:
            cells.append((kind, text))

    for line in source.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        else:
            lines.append(line)
    flush()
    return cells


def run_cells(name):
    """Run a script cell by cell in one namespace, as a notebook kernel would; each code cell's output."""
    source = (HERE / f"{name}.py").read_text()
    namespace = {"__name__": "__main__"}
    outputs = []
    for kind, text in percent_cells(source):
        if kind != "code":
            continue
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(text, f"{name}.py", "exec"), namespace)
        printed = buffer.getvalue().rstrip("\n")
        if printed:
            outputs.append(printed)
    return outputs


def reference_output():
    outputs = {name: run_cells(name) for name in {s for s, _ in NOTEBOOK_CELLS.values()}}
    cells = {1: "Using device: cpu"}  # the scripts run on the CPU, as the reference run did
    for cell, (name, index) in NOTEBOOK_CELLS.items():
        cells[cell] = outputs[name][index]
    return "".join(f"=== cell {n}\n" + (f"{cells[n]}\n" if cells.get(n) else "") for n in range(1, 12))


def rng_fixtures():
    cases = []
    for seed, calls in RNG_CASES:
        torch.manual_seed(seed)
        out = []
        for op, shape in calls:
            v = (torch.randn if op == "randn" else torch.rand)(*shape).flatten().tolist()
            out.append({
                "op": op,
                "shape": shape,
                "values": v if len(v) <= 64 else None,
                "head": v[:8],
                "tail": v[-8:],
                "sum": sum(v),
                "sumsq": sum(x * x for x in v),
            })
        cases.append({"seed": seed, "calls": out})
    version = torch.__version__.split("+")[0]
    doc = {"generator": f"torch {version} CPU, torch.manual_seed(seed) then the listed calls in order; "
                        "written by companion/regenerate.py", "cases": cases}
    return json.dumps(doc, indent=1) + "\n"


def notebook(name):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, text) in enumerate(percent_cells((HERE / f"{name}.py").read_text())):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(text, id=f"{name}-{i}"))  # fixed ids: the file must not change run to run
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files in the repository instead of writing")
    args = parser.parse_args()

    files = {HERE / "reference_output_cpu.txt": reference_output(), FIXTURES / "torch_rng_fixtures.json": rng_fixtures()}
    files.update({HERE / f"{name}.ipynb": notebook(name) for name in SCRIPTS})

    stale = []
    for path, text in files.items():
        rel = path.relative_to(ROOT)
        old = path.read_text() if path.exists() else None
        if old == text:
            continue
        if args.check:
            stale.append(rel)
            diff = difflib.unified_diff((old or "").splitlines(), text.splitlines(), f"{rel} (committed)", f"{rel} (regenerated)", lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {rel}")
    if stale:
        print(f"\n{len(stale)} file(s) differ from what the companion produces (torch {torch.__version__}): "
              + ", ".join(map(str, stale)) + ".\nRun `npm run companion:fixtures` and review the change.", file=sys.stderr)
        sys.exit(1)
    if args.check:
        print(f"companion: {len(files)} files up to date (torch {torch.__version__})")


if __name__ == "__main__":
    main()
