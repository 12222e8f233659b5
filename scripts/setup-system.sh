#!/usr/bin/env bash
# The machine set-up `npm test` needs (its pretest step; idempotent, a few seconds once done):
#   - Debian packages: PostgreSQL 15 for the store suites, Chromium (and a font) for the web UI tests,
#     wrk for the serving benchmark, Prometheus (and promtool) and docker-compose for the monitoring
#     and deployment tests, and Debian's Python 3 with scikit-learn, XGBoost, imbalanced-learn,
#     Optuna and pandas for the parity tests and the Python anchors;
#   - the MLflow 2.17.2 anchor from the shared folder (../shared, or CAIRN_SHARED): its own script
#     installs the Debian packages MLflow needs and unpacks MLflow into /opt/mlflow-anchor, for the
#     tests that run MLflow's Python client and server against Cairn.
# Run as root, it says what it will install, then installs it. Run as another user, it prints the
# exact commands to run as root and stops. Without the shared folder it says which tests will be
# skipped; the test run repeats that in its summary.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${CAIRN_SHARED:-$here/../shared}"
anchor="$shared/anchors/mlflow/start_mlflow.sh"
pkgs="postgresql python3 python3-sklearn python3-xgboost python3-imblearn python3-pandas python3-numpy python3-scipy
 python3-requests python3-optuna chromium fonts-dejavu-core wrk prometheus docker-compose"
root=false
[ "$(id -u)" = 0 ] && root=true

missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done

anchor_ready() {
  bash -c 'eval "$(bash "$0" env)" && /usr/bin/python3 -c "import mlflow, pandas"' "$anchor" >/dev/null 2>&1
}

if ! $root; then
  todo=""
  [ -n "$missing" ] && todo="$todo  apt-get update && apt-get install -y$missing"$'\n'
  if [ -f "$anchor" ] && ! anchor_ready; then todo="$todo  bash $anchor prepare"$'\n'; fi
  if [ -n "$todo" ]; then
    echo "[setup] the tests need system packages that are not installed; run as root:" >&2
    printf '%s' "$todo" >&2
    echo "[setup] (or run npm test as root, which does this itself)" >&2
    exit 1
  fi
fi

if [ -n "$missing" ]; then
  echo "[setup] installing Debian packages:$missing (apt-get update; apt-get install -y)"
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null
fi

if [ -f "$anchor" ]; then
  if $root; then
    echo "[setup] preparing the MLflow anchor: bash $anchor prepare"
    log="$(mktemp)"
    if ! bash "$anchor" prepare >"$log" 2>&1; then
      cat "$log" >&2
      echo "[setup] preparing the MLflow anchor failed (output above)" >&2
      exit 1
    fi
    rm -f "$log"
  fi
else
  echo "[setup] $anchor not found: the tests that need the shared folder will be skipped" \
    "(set CAIRN_SHARED to the shared folder)" >&2
fi
