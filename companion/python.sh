#!/bin/sh
# The Python the companion runs with: $COMPANION_PYTHON if set, else the project's venv
# (.venv-companion, made by companion/setup-venv.sh), else python3 from PATH.
# Run from the repository root (npm scripts do).
if [ -n "${COMPANION_PYTHON:-}" ]; then exec "$COMPANION_PYTHON" "$@"; fi
if [ -x .venv-companion/bin/python ]; then exec .venv-companion/bin/python "$@"; fi
exec python3 "$@"
