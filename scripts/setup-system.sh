#!/usr/bin/env bash
# Installs the Debian packages the test suite and benchmarks use (idempotent).
# PostgreSQL 15 for the store suite; Debian's Python with scikit-learn/XGBoost for parity tests;
# the packed MLflow anchor (its own script installs what it needs) for client compatibility tests.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${CAIRN_SHARED:-$here/../shared}"
pkgs="postgresql python3 python3-sklearn python3-xgboost python3-pandas python3-numpy python3-scipy python3-requests"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] missing Debian packages:$missing — run as root: apt-get install -y$missing" >&2
    exit 1
  fi
  echo "[setup] apt-get install:$missing"
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null
fi
if [ -x "$shared/anchors/mlflow/start_mlflow.sh" ]; then
  bash "$shared/anchors/mlflow/start_mlflow.sh" prepare >/dev/null 2>&1 \
    || echo "[setup] warning: preparing the MLflow anchor failed; MLflow client tests will fail" >&2
else
  echo "[setup] warning: $shared/anchors/mlflow not found; MLflow client tests will fail (set CAIRN_SHARED)" >&2
fi
