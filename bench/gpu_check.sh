#!/usr/bin/env bash
# GPU check of the synsoc MD (issue 4). On the GPU machine (no internet):
#   bash bench/gpu_check.sh                 # full check, about 4-5 minutes
# Here, on CPU, to prove the script works:
#   bash bench/gpu_check.sh --platform CPU --quick      (uses .venv/bin/python if present)
# Installs the wheels carried in ./.whl (openmm, openmm-cuda-1x, mdtraj, PeptideBuilder,
# biopython, jsonschema, ... ) into /tmp/site when that directory exists, then runs
# bench/gpu_check.py, which writes ONE JSON summary to ${OUT:-.}/gpu_check.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -d .whl ] && compgen -G ".whl/*.whl" > /dev/null; then
    # Wheels built for another Python (e.g. cp312 on a 3.11 dev box) do not install:
    # then go on with what the interpreter already has, if it has OpenMM.
    if "$PYTHON" -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl; then
        export PYTHONPATH="/tmp/site:$PYTHONPATH"
    elif "$PYTHON" -c "import openmm" 2> /dev/null; then
        echo "gpu_check: wheels in .whl do not fit $PYTHON; using its installed packages" >&2
    else
        echo "gpu_check: cannot install .whl/*.whl and $PYTHON has no OpenMM" >&2
        exit 1
    fi
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
exec "$PYTHON" bench/gpu_check.py "$@"
