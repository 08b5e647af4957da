#!/usr/bin/env bash
# GPU check of the synsoc MD (issue 4). On the GPU machine (no internet):
#   bash bench/gpu_check.sh                 # full check, about 4-5 minutes
# Here, on CPU, to prove the script works:
#   PYTHON=.venv/bin/python bash bench/gpu_check.sh --platform CPU --quick
# Installs the wheels carried in ./.whl (openmm, openmm-cuda-1x, mdtraj, PeptideBuilder,
# biopython, jsonschema, ... ) into /tmp/site when that directory exists, then runs
# bench/gpu_check.py, which writes ONE JSON summary to ${OUT:-.}/gpu_check.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ -d .whl ] && compgen -G ".whl/*.whl" > /dev/null; then
    "$PYTHON" -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
    export PYTHONPATH="/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
else
    export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
exec "$PYTHON" bench/gpu_check.py "$@"
