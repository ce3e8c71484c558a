# Sourced by scripts/demo and scripts/test: make sure .venv exists and has requirements-dev.txt installed.
# Python 3.11 when the machine has it, else the default python3.
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi
# Reinstall only when a requirements file changed since the last install.
stamp=.venv/.requirements-installed
if [ ! -f "$stamp" ] || [ requirements.txt -nt "$stamp" ] || [ requirements-dev.txt -nt "$stamp" ]; then
  echo "==> installing requirements-dev.txt into .venv" >&2
  .venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
  touch "$stamp"
fi
