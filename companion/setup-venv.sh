#!/bin/sh
# Make .venv-companion with what the companion needs: torch (CPU), numpy, nbformat.
# The package indexes default to the machines' local wheel mirrors (no internet there); set
# COMPANION_PIP_ARGS to use others, e.g. COMPANION_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple".
set -eu
cd "$(dirname "$0")/.."
PIP_ARGS=${COMPANION_PIP_ARGS:---index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple}
if [ ! -x .venv-companion/bin/python ]; then python3 -m venv .venv-companion; fi
# pip warns once per package an index lacks; keep its log out of sight unless it fails.
LOG=.venv-companion/pip-install.log
# shellcheck disable=SC2086 # PIP_ARGS is a list of arguments
if ! .venv-companion/bin/pip install --disable-pip-version-check --quiet $PIP_ARGS -r companion/requirements.txt >"$LOG" 2>&1; then
  grep -v 'is ignored: it is neither a file nor a directory' "$LOG" >&2
  echo "companion: pip could not install companion/requirements.txt (full log: $LOG)" >&2
  exit 1
fi
.venv-companion/bin/python -c "import torch, numpy, nbformat, transformers, peft; print('companion venv: torch', torch.__version__, '| numpy', numpy.__version__, '| nbformat', nbformat.__version__)"
