# Sourced by scripts/dev and scripts/test: create .venv when missing and install the project
# from the lock (requirements.lock pins every package). Re-installs only when the inputs change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
EXTRAS="${1:-}"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.gorunchat-install-${EXTRAS:-base}"
digest="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "installing dependencies from requirements.lock" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  target="."
  [ -n "$EXTRAS" ] && target=".[$EXTRAS]"
  .venv/bin/python -m pip install --quiet -c requirements.lock -e "$target"
  echo "$digest" > "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
