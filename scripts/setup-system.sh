#!/usr/bin/env bash
# Installs the Debian packages the test suite and benchmarks use (idempotent; needs root).
# PostgreSQL 15 for the store suite; Debian's Python with scikit-learn/XGBoost for parity tests;
# the packed MLflow anchor (its own script installs what it needs) for client compatibility tests.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${CAIRN_SHARED:-$here/../shared}"
pkgs="postgresql python3-sklearn python3-xgboost python3-pandas python3-numpy python3-scipy python3-requests"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "[setup] apt-get install:$missing"
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null
fi
if [ -x "$shared/anchors/mlflow/start_mlflow.sh" ]; then
  echo "[setup] preparing the MLflow anchor"
  bash "$shared/anchors/mlflow/start_mlflow.sh" prepare >/dev/null
fi
