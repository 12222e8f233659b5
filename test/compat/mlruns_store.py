"""An MLflow file store for `cairn import`, written and read by MLflow 2.17's own client.

  write DIR         creates DIR/mlruns with MLflow's file store: experiments (one deleted), nested
                    runs, params, tags, metric histories with NaN/inf and slashed keys, finished,
                    failed and deleted runs, a dataset input, artifacts in sub-directories, and a
                    registered model (a runs:/ source, a path source, a deleted version, a stage
                    and an alias)
  dump URI OUT      writes what MLflow's client reads from the tracking URI (a file store or a
                    server): experiments, runs of every lifecycle with their data, every metric
                    history and every artifact's bytes, registered models with their versions and
                    the files behind models:/NAME@champion, as JSON with store-specific ids left out
"""
import hashlib
import json
import math
import os
import sys

import mlflow
import mlflow.data
import pandas
from mlflow.entities import ViewType
from mlflow.tracking import MlflowClient


def write(base):
    os.makedirs(base, exist_ok=True)
    mlflow.set_tracking_uri("file:" + os.path.join(os.path.abspath(base), "mlruns"))
    client = MlflowClient()
    heart = mlflow.set_experiment("heart-disease")
    client.set_experiment_tag(heart.experiment_id, "team", "cardiology")
    with mlflow.start_run(run_name="grid") as parent:
        mlflow.log_params({"cv": "5", "scoring": "roc_auc"})
        frame = pandas.DataFrame({"age": [63.0, 41.0], "sex": ["Male", "Female"], "num": [1, 0]})
        mlflow.log_input(mlflow.data.from_pandas(frame, source="/data/heart_disease_uci.csv", name="uci-heart", targets="num"),
                         context="training", tags={"split": "train"})
        mlflow.set_tags({"stage": "tuning", "note": "multi\nline, with \"quotes\""})
        for i, (model, auc) in enumerate([("lr", 0.891), ("rf", 0.884), ("xgb", 0.86)]):
            with mlflow.start_run(run_name=model, nested=True):
                mlflow.log_param("model", model)
                for step in range(5):
                    mlflow.log_metric("train/loss", 1.0 / (step + 1) + i, step=step, timestamp=1_700_000_000_000 + step)
                mlflow.log_metric("roc_auc", auc)
        mlflow.log_metric("best_auc", 0.891)
        mlflow.log_metric("odd", float("nan"))
        mlflow.log_metric("unbounded", float("inf"))
        mlflow.log_metric("floor", float("-inf"))
        mlflow.log_text("a report\n", "reports/summary.txt")
        mlflow.log_dict({"features": ["age", "chol"]}, "model/meta.json")
        data = os.path.join(base, "weights.bin")
        with open(data, "wb") as f:
            f.write(bytes((i * 37) % 256 for i in range(70_000)))
        mlflow.log_artifact(data, "model")
    failed = client.create_run(heart.experiment_id, run_name="crashed")
    client.log_param(failed.info.run_id, "model", "knn")
    client.set_terminated(failed.info.run_id, "FAILED")
    dropped = client.create_run(heart.experiment_id, run_name="dropped")
    client.log_metric(dropped.info.run_id, "roc_auc", 0.5)
    client.set_terminated(dropped.info.run_id)
    client.delete_run(dropped.info.run_id)
    old = client.create_experiment("old-study")
    with mlflow.start_run(experiment_id=old, run_name="legacy"):
        mlflow.log_metric("acc", 0.7)
    client.delete_experiment(old)
    # the registry: a runs:/ source, a path inside the run's artifacts, a deleted version, a stage and an alias
    client.create_registered_model("heart-classifier", tags={"domain": "cardiology"}, description="UCI heart disease")
    client.create_model_version("heart-classifier", f"runs:/{parent.info.run_id}/model", parent.info.run_id, description="grid winner")
    client.create_model_version("heart-classifier", f"{parent.info.artifact_uri}/model", parent.info.run_id, tags={"validated": "yes"})
    client.create_model_version("heart-classifier", "/tmp/nowhere/model")
    client.delete_model_version("heart-classifier", "3")
    client.transition_model_version_stage("heart-classifier", "1", "Production")
    client.set_registered_model_alias("heart-classifier", "champion", "2")
    # a name YAML 1.2 would read as a number, unquoted by PyYAML (YAML 1.1)
    with mlflow.start_run(experiment_id="0", run_name="1e5"):
        mlflow.log_param("where", "default")
    print(parent.info.run_id)


def number(v):
    return v if math.isfinite(v) else str(v)


def dump(uri, out):
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    experiments = client.search_experiments(view_type=ViewType.ALL)
    result = {"experiments": [], "runs": {}}
    for e in sorted(experiments, key=lambda e: e.name):
        result["experiments"].append({"name": e.name, "lifecycle_stage": e.lifecycle_stage,
                                      "tags": {k: v for k, v in e.tags.items() if not k.startswith("mlflow.")}})
        for r in client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, max_results=1000):
            histories = {k: [[m.step, m.timestamp, number(m.value)] for m in sorted(client.get_metric_history(r.info.run_id, k), key=lambda m: (m.step, m.timestamp))]
                         for k in r.data.metrics}
            artifacts = {}
            def walk(path):
                for f in client.list_artifacts(r.info.run_id, path):
                    if f.is_dir:
                        walk(f.path)
                    else:
                        local = client.download_artifacts(r.info.run_id, f.path)
                        with open(local, "rb") as fh:
                            artifacts[f.path] = [f.file_size, hashlib.sha256(fh.read()).hexdigest()]
            walk(None)
            result["runs"][r.info.run_id] = {
                "experiment": e.name, "run_name": r.info.run_name, "status": r.info.status, "user_id": r.info.user_id,
                "start_time": r.info.start_time, "end_time": r.info.end_time, "lifecycle_stage": r.info.lifecycle_stage,
                "params": r.data.params, "tags": r.data.tags,
                "metrics": {k: number(v) for k, v in r.data.metrics.items()}, "histories": histories, "artifacts": artifacts,
                "inputs": sorted([{"name": i.dataset.name, "digest": i.dataset.digest, "source_type": i.dataset.source_type,
                                   "source": i.dataset.source, "schema": i.dataset.schema, "profile": i.dataset.profile,
                                   "tags": {t.key: t.value for t in i.tags}} for i in r.inputs.dataset_inputs], key=lambda i: i["name"]),
            }
    result["models"] = []
    for m in client.search_registered_models():
        versions = client.search_model_versions(f"name='{m.name}'")
        champion = {}
        local = mlflow.artifacts.download_artifacts(f"models:/{m.name}@champion", dst_path=os.path.join(os.path.dirname(out), "champion-" + os.path.basename(out)))
        for dirpath, _, files in os.walk(local):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    champion[os.path.relpath(os.path.join(dirpath, name), local)] = hashlib.sha256(fh.read()).hexdigest()
        result["models"].append({
            "name": m.name, "description": m.description or None, "tags": m.tags, "aliases": m.aliases, "champion_files": champion,
            # over REST an unset description reads as '' (proto default) and the version as a string
            "versions": sorted([{"version": str(v.version), "stage": v.current_stage, "description": v.description or None, "source": v.source,
                                 "run_id": v.run_id, "status": v.status, "tags": v.tags} for v in versions], key=lambda v: int(v["version"])),
        })
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    elif sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
