#!/usr/bin/env bash
# ctest Install.ThePythonModuleGoesWhereDebiansPythonLooks: `cmake --install --component python` puts the
# module in <prefix>/<VKAE_PYTHON_INSTALL_DIR>; for the default prefix /usr/local (and for /usr) that folder
# is one of /usr/bin/python3's site-packages, and the installed module imports and runs from there.
# Usage: python_module.sh BUILD_DIR PREFIX INSTALL_DIR PYTHON
set -euo pipefail
build=$1 prefix=$2 dir=$3 python=$4
"$python" - "$prefix/$dir" <<'PY'
import site, sys
folder = sys.argv[1]  # site-packages folders are on sys.path once they exist: getsitepackages lists them all
assert folder in site.getsitepackages(), f"{folder} is not among {sys.executable}'s {site.getsitepackages()}"
PY
stage=$(mktemp -d "${TMPDIR:-/tmp}/vkae-install-XXXXXX")
trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage" --component python >/dev/null
cd "$stage"  # not the build tree: the installed copy is the one found
PYTHONPATH="$stage/$dir" "$python" - "$stage" <<'PY'
import sys
import numpy as np
import vkae
assert vkae.__file__.startswith(sys.argv[1]), vkae.__file__
m = vkae.Model("dense")
m.fit(np.random.default_rng(0).random((64, 28, 28), dtype=np.float32), batch_size=32, verbose=0)
assert m.predict(np.zeros((2, 28, 28), np.float32)).shape == (2, 28, 28)
print("installed", vkae.__version__, "at", vkae.__file__)
PY
