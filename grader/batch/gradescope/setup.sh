#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: it installs
# initgrade (shipped in this zip, under source/initgrade) into its own virtual environment.
set -euo pipefail
root="${INITGRADE_AUTOGRADER_ROOT:-/autograder}"
python="${INITGRADE_SETUP_PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1 || ! "$python" -c "import ensurepip, venv" 2>/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip
    python=python3
fi
"$python" -m venv "$root/initgrade-venv"
"$root/initgrade-venv/bin/python" -m pip install --quiet --upgrade pip
"$root/initgrade-venv/bin/python" -m pip install --quiet -e "$root/source/initgrade"
"$root/initgrade-venv/bin/python" -c "import grader.batch; print('initgrade is installed')"
# Grading the bundled correct notebook once fills the outcome cache: a correct submission then
# costs no training.
"$root/initgrade-venv/bin/initgrade" grade "$root/source/initgrade/examples/correct.ipynb" >/dev/null || true
