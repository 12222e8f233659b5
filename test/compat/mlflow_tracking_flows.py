#!/usr/bin/env python3
"""MLflow user flows driven by MLflow's own Python client against any MLflow-compatible server.

    /usr/bin/python3 test/compat/mlflow_tracking_flows.py --url http://127.0.0.1:5000

Needs MLflow's client on PYTHONPATH (`../shared/anchors/mlflow/start_mlflow.sh env`). Every check
runs in order against one server; experiment names carry a unique suffix so the script can be
re-run against the same store. It must pass against the real MLflow server (that is what keeps
these expectations honest) and against Cairn. Exit status 0 only when every check passed.
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Ctx:
    """State shared between the ordered checks."""

    def __init__(self, url):
        self.url = url
        self.suffix = f"{int(time.time() * 1000)}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.tmp = tempfile.mkdtemp(prefix="cairn-compat-")
        self.exp_name = f"compat-flows-{self.suffix}"
        self.exp_id = None
        self.parent_id = None
        self.child_id = None
        self.search_exp_id = None
        self.search_runs = {}


def expect_mlflow_error(fn, code):
    from mlflow.exceptions import MlflowException

    try:
        fn()
    except MlflowException as e:
        assert e.error_code == code, f"expected {code}, got {e.error_code}: {e.message}"
        return e
    raise AssertionError(f"expected MlflowException {code}, nothing was raised")


# --------------------------------------------------------------------------------------------- #
# Experiments and runs through the fluent API
# --------------------------------------------------------------------------------------------- #
@check
def set_experiment_creates_then_reuses(c):
    import mlflow

    exp = mlflow.set_experiment(c.exp_name)
    assert exp.name == c.exp_name and exp.lifecycle_stage == "active"
    again = mlflow.set_experiment(c.exp_name)
    assert again.experiment_id == exp.experiment_id, "set_experiment must reuse the existing experiment"
    by_name = mlflow.get_experiment_by_name(c.exp_name)
    assert by_name is not None and by_name.experiment_id == exp.experiment_id
    assert mlflow.get_experiment(exp.experiment_id).name == c.exp_name
    assert mlflow.get_experiment_by_name(f"missing-{c.suffix}") is None
    c.exp_id = exp.experiment_id


@check
def nested_runs_with_params_metrics_tags(c):
    import mlflow

    mlflow.set_experiment(c.exp_name)
    t0 = int(time.time() * 1000)
    with mlflow.start_run(run_name="parent") as parent:
        c.parent_id = parent.info.run_id
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"solver": "lbfgs", "max_iter": 200, "p with space": "x y"})
        mlflow.log_param("alpha", 0.5)  # identical value again is allowed
        mlflow.log_metric("loss", 1.0, step=0, timestamp=t0)
        mlflow.log_metric("loss", 0.5, step=1, timestamp=t0 + 10)
        mlflow.log_metric("loss", 0.25, step=2, timestamp=t0 + 20)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=3)
        mlflow.log_metric("weird_nan", float("nan"))
        mlflow.log_metric("weird_pinf", float("inf"))
        mlflow.log_metric("weird_ninf", float("-inf"))
        mlflow.set_tag("team", "cardio")
        mlflow.set_tags({"dataset": "heart", "to_delete": "soon"})
        mlflow.delete_tag("to_delete")
        with mlflow.start_run(run_name="child", nested=True) as child:
            c.child_id = child.info.run_id
            mlflow.log_metric("child_metric", 3.0)
        assert mlflow.active_run().info.run_id == c.parent_id
    child_run = mlflow.get_run(c.child_id)
    assert child_run.data.tags.get("mlflow.parentRunId") == c.parent_id
    assert child_run.info.status == "FINISHED" and child_run.info.end_time is not None
    assert child_run.info.run_name == "child" and child_run.data.tags.get("mlflow.runName") == "child"


@check
def get_run_returns_logged_data(c):
    import mlflow

    run = mlflow.get_run(c.parent_id)
    assert run.info.run_id == c.parent_id and run.info.experiment_id == c.exp_id
    assert run.info.status == "FINISHED" and run.info.lifecycle_stage == "active"
    assert run.info.start_time > 0 and run.info.end_time >= run.info.start_time
    p = run.data.params
    assert p == {"alpha": "0.5", "solver": "lbfgs", "max_iter": "200", "p with space": "x y"}, p
    m = run.data.metrics
    assert m["loss"] == 0.25, m  # latest = highest step
    assert m["acc"] == 0.9 and m["f1"] == 0.8
    assert math.isnan(m["weird_nan"])
    # MLflow's SQL store clamps +/-inf to +/-max double; accept either representation.
    assert m["weird_pinf"] == math.inf or m["weird_pinf"] >= 1.7e308, m["weird_pinf"]
    assert m["weird_ninf"] == -math.inf or m["weird_ninf"] <= -1.7e308, m["weird_ninf"]
    t = run.data.tags
    assert t["team"] == "cardio" and t["dataset"] == "heart"
    assert "to_delete" not in t
    assert t.get("mlflow.runName") == "parent"
    assert t.get("mlflow.user"), "the client sets mlflow.user"


@check
def metric_history_steps_and_timestamps(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    hist = sorted(cl.get_metric_history(c.parent_id, "loss"), key=lambda x: x.step)
    assert [(h.step, h.value) for h in hist] == [(0, 1.0), (1, 0.5), (2, 0.25)], hist
    assert hist[1].timestamp - hist[0].timestamp == 10 and hist[2].timestamp - hist[0].timestamp == 10 * 2
    assert all(h.key == "loss" for h in hist)
    nan_hist = cl.get_metric_history(c.parent_id, "weird_nan")
    assert len(nan_hist) == 1 and math.isnan(nan_hist[0].value)
    assert cl.get_metric_history(c.parent_id, "never_logged") == []


# --------------------------------------------------------------------------------------------- #
# Artifacts (proxied through the server: mlflow-artifacts:/)
# --------------------------------------------------------------------------------------------- #
def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


@check
def artifacts_round_trip(c):
    import mlflow
    from mlflow import MlflowClient

    src = os.path.join(c.tmp, "src")
    single = os.path.join(src, "model_card.md")
    _write(single, "# Heart disease model\nAUC 0.91\n")
    tree = os.path.join(src, "plots")
    binary = bytes(range(256)) * 64
    _write(os.path.join(tree, "roc.bin"), binary)
    _write(os.path.join(tree, "nested", "deep.txt"), "deep content ü\n")
    _write(os.path.join(tree, "empty.txt"), "")
    big = os.urandom(3 * 1024 * 1024 + 17)
    _write(os.path.join(tree, "big.bin"), big)

    with mlflow.start_run(run_id=c.parent_id):
        mlflow.log_artifact(single)
        mlflow.log_artifact(single, artifact_path="docs")
        mlflow.log_artifacts(tree, artifact_path="plots")
        mlflow.log_dict({"features": ["age", "chol"], "k": 7}, "config/params.json")
        mlflow.log_text("plain text ✓", "notes/readme.txt")

    cl = MlflowClient()
    top = {f.path: f for f in cl.list_artifacts(c.parent_id)}
    assert set(top) == {"model_card.md", "docs", "plots", "config", "notes"}, sorted(top)
    assert not top["model_card.md"].is_dir and top["model_card.md"].file_size == os.path.getsize(single)
    assert top["plots"].is_dir and top["config"].is_dir
    plots = {f.path: f for f in cl.list_artifacts(c.parent_id, "plots")}
    assert set(plots) == {"plots/roc.bin", "plots/nested", "plots/empty.txt", "plots/big.bin"}, sorted(plots)
    assert plots["plots/big.bin"].file_size == len(big)
    assert plots["plots/roc.bin"].file_size == len(binary)
    assert plots["plots/nested"].is_dir
    nested = [f.path for f in cl.list_artifacts(c.parent_id, "plots/nested")]
    assert nested == ["plots/nested/deep.txt"], nested

    dst = os.path.join(c.tmp, "dl-all")
    os.makedirs(dst)
    local = mlflow.artifacts.download_artifacts(run_id=c.parent_id, dst_path=dst)
    with open(os.path.join(local, "model_card.md")) as f:
        assert f.read() == "# Heart disease model\nAUC 0.91\n"
    with open(os.path.join(local, "docs", "model_card.md")) as f:
        assert f.read() == "# Heart disease model\nAUC 0.91\n"
    with open(os.path.join(local, "plots", "roc.bin"), "rb") as f:
        assert f.read() == binary
    with open(os.path.join(local, "plots", "nested", "deep.txt"), encoding="utf-8") as f:
        assert f.read() == "deep content ü\n"
    assert os.path.getsize(os.path.join(local, "plots", "empty.txt")) == 0
    with open(os.path.join(local, "plots", "big.bin"), "rb") as f:
        assert f.read() == big
    with open(os.path.join(local, "config", "params.json")) as f:
        assert json.load(f) == {"features": ["age", "chol"], "k": 7}
    with open(os.path.join(local, "notes", "readme.txt"), encoding="utf-8") as f:
        assert f.read() == "plain text ✓"

    dst2 = os.path.join(c.tmp, "dl-one")
    os.makedirs(dst2)
    one = cl.download_artifacts(c.parent_id, "plots/nested", dst2)
    assert os.listdir(one) == ["deep.txt"]
    assert mlflow.artifacts.load_text(f"runs:/{c.parent_id}/notes/readme.txt") == "plain text ✓"
    assert mlflow.artifacts.load_dict(f"runs:/{c.parent_id}/config/params.json")["k"] == 7


@check
def log_input_dataset(c):
    import mlflow
    import pandas as pd

    df = pd.DataFrame({"age": [63, 37, 41], "chol": [233.0, 250.0, 204.0], "target": [1, 0, 0]})
    ds = mlflow.data.from_pandas(df, source="heart.csv", name="heart-train", targets="target")
    with mlflow.start_run(experiment_id=c.exp_id, run_name="with-input") as run:
        mlflow.log_input(ds, context="training", tags={"split": "train"})
    got = mlflow.get_run(run.info.run_id)
    inputs = got.inputs.dataset_inputs
    assert len(inputs) == 1, inputs
    d = inputs[0].dataset
    assert d.source_type == ds.source._get_source_type() and isinstance(json.loads(d.source), dict)
    assert d.name == "heart-train" and d.digest == ds.digest
    assert {t.key: t.value for t in inputs[0].tags} == {"mlflow.data.context": "training", "split": "train"}
    assert json.loads(d.schema)["mlflow_colspec"][0]["name"] == "age"


# --------------------------------------------------------------------------------------------- #
# Search
# --------------------------------------------------------------------------------------------- #
@check
def seed_search_experiment(c):
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    cl = MlflowClient()
    c.search_exp_id = cl.create_experiment(f"compat-search-{c.suffix}", tags={"purpose": "search"})
    now = int(time.time() * 1000)
    for i in range(7):
        run = cl.create_run(c.search_exp_id, start_time=now + i, run_name=f"r{i}", tags={"idx": str(i)})
        rid = run.info.run_id
        cl.log_batch(
            rid,
            metrics=[Metric("x", i / 10, now, 0), Metric("my metric", float(i), now, 0),
                     Metric("x", i / 10 + 0.05, now + 1, 1)],
            params=[Param("p", "a" if i % 2 == 0 else "b"), Param("p-dash", f"v{i}")],
            tags=[RunTag("t", "box" if i < 3 else "other"), RunTag("mlflow.note.content", f"run {i}")],
        )
        cl.set_terminated(rid, "FINISHED" if i != 6 else "FAILED")
        c.search_runs[i] = rid
    run = cl.get_run(c.search_runs[2])
    assert run.data.metrics == {"x": 0.25, "my metric": 2.0}, run.data.metrics
    assert run.data.params == {"p": "a", "p-dash": "v2"}
    assert run.data.tags["t"] == "box" and run.data.tags["idx"] == "2"
    hist = sorted(cl.get_metric_history(c.search_runs[2], "x"), key=lambda m: m.step)
    assert [(m.step, m.value, m.timestamp) for m in hist] == [(0, 0.2, now), (1, 0.25, now + 1)]


def _ids(c, runs):
    inv = {v: k for k, v in c.search_runs.items()}
    return [inv.get(r.info.run_id, r.info.run_id) for r in runs]


@check
def search_filter_kinds(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    e = [c.search_exp_id]

    def q(flt, order=None):
        return sorted(_ids(c, cl.search_runs(e, flt, order_by=order))) if order is None else _ids(
            c, cl.search_runs(e, flt, order_by=order))

    assert q("metrics.x > 0.5") == [5, 6], q("metrics.x > 0.5")  # latest x = i/10 + 0.05
    assert q("metrics.x >= 0.45 and metrics.x < 0.6") == [4, 5]
    assert q("params.p = 'a'") == [0, 2, 4, 6]
    assert q("params.p != 'a'") == [1, 3, 5]
    assert q("tags.t LIKE '%ox%'") == [0, 1, 2]
    assert q("tags.t ILIKE '%OTH%'") == [3, 4, 5, 6]
    assert q("attributes.status = 'FINISHED'") == [0, 1, 2, 3, 4, 5]
    assert q("attributes.status != 'FINISHED'") == [6]
    assert q("metrics.`my metric` >= 5") == [5, 6]
    assert q("params.`p-dash` = 'v3'") == [3]
    assert q("tags.`mlflow.runName` = 'r4'") == [4]
    assert q("attributes.run_name = 'r1'") == [1]
    assert q("params.p = 'a' AND metrics.x > 0.3 AND tags.t = 'other'") == [4, 6]
    in_list = ", ".join(f"'{c.search_runs[i]}'" for i in (1, 5))
    assert q(f"attributes.run_id IN ({in_list})") == [1, 5]
    assert q("metrics.missing > 0") == []
    # order_by
    assert q("", ["metrics.x DESC"]) == [6, 5, 4, 3, 2, 1, 0]
    assert q("", ["metrics.`my metric` ASC"]) == [0, 1, 2, 3, 4, 5, 6]
    assert q("params.p = 'b'", ["attributes.start_time DESC"]) == [5, 3, 1]
    assert q("", ["params.p ASC", "metrics.x DESC"]) == [6, 4, 2, 0, 5, 3, 1]
    assert q("", ["attributes.run_name DESC"]) == [6, 5, 4, 3, 2, 1, 0]


@check
def search_runs_pandas(c):
    import mlflow

    df = mlflow.search_runs(experiment_ids=[c.search_exp_id], filter_string="params.p = 'a'",
                            order_by=["metrics.x DESC"])
    assert len(df) == 4, len(df)
    inv = {v: k for k, v in c.search_runs.items()}
    assert [inv[r] for r in df["run_id"]] == [6, 4, 2, 0]
    for col in ("run_id", "experiment_id", "status", "start_time", "end_time", "artifact_uri",
                "metrics.x", "metrics.my metric", "params.p", "params.p-dash", "tags.t", "tags.mlflow.runName"):
        assert col in df.columns, (col, list(df.columns))
    assert list(df["status"]) == ["FAILED", "FINISHED", "FINISHED", "FINISHED"]
    assert abs(df["metrics.x"].iloc[1] - 0.45) < 1e-12
    assert list(df["params.p-dash"]) == ["v6", "v4", "v2", "v0"]
    by_name = mlflow.search_runs(experiment_names=[f"compat-search-{c.suffix}"], filter_string="tags.t = 'box'")
    assert len(by_name) == 3
    as_list = mlflow.search_runs(experiment_ids=[c.search_exp_id], output_format="list", max_results=2,
                                 order_by=["metrics.x ASC"])
    assert [inv[r.info.run_id] for r in as_list] == [0, 1]


@check
def search_paging(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    seen, token, pages = [], None, 0
    while True:
        page = cl.search_runs([c.search_exp_id], "", order_by=["metrics.x ASC"], max_results=3, page_token=token)
        pages += 1
        assert len(page) <= 3
        seen.extend(_ids(c, page))
        token = page.token
        if not token:
            break
        assert pages < 10, "paging does not terminate"
    assert pages == 3 and seen == [0, 1, 2, 3, 4, 5, 6], (pages, seen)
    filtered = cl.search_runs([c.search_exp_id], "params.p = 'a'", order_by=["metrics.x DESC"], max_results=2)
    assert _ids(c, filtered) == [6, 4] and filtered.token
    rest = cl.search_runs([c.search_exp_id], "params.p = 'a'", order_by=["metrics.x DESC"], max_results=2,
                          page_token=filtered.token)
    assert _ids(c, rest) == [2, 0]
    # the last page may still hand back a token; the page after it must be empty
    if rest.token:
        assert len(cl.search_runs([c.search_exp_id], "params.p = 'a'", order_by=["metrics.x DESC"],
                                  max_results=2, page_token=rest.token)) == 0


@check
def search_bad_filter_is_invalid_parameter(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    expect_mlflow_error(lambda: cl.search_runs([c.search_exp_id], "metrics.x >>> 1"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.search_runs([c.search_exp_id], "foo.x = 1"), "INVALID_PARAMETER_VALUE")


# --------------------------------------------------------------------------------------------- #
# MlflowClient: batch logging, lifecycle, experiments
# --------------------------------------------------------------------------------------------- #
@check
def log_batch_and_history(c):
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    cl = MlflowClient()
    run = cl.create_run(c.exp_id, run_name="batch")
    rid = run.info.run_id
    base = 1_700_000_000_000
    metrics = [Metric("curve", float(s * s), base + s, s) for s in range(250)]
    cl.log_batch(rid, metrics=metrics[:200], params=[Param(f"hp{i}", str(i)) for i in range(20)],
                 tags=[RunTag("kind", "batch")])
    cl.log_batch(rid, metrics=metrics[200:])
    cl.log_metric(rid, "curve", -1.0, timestamp=base + 999, step=3)  # a second value at step 3
    hist = cl.get_metric_history(rid, "curve")
    assert len(hist) == 251, len(hist)
    at3 = sorted(h.value for h in hist if h.step == 3)
    assert at3 == [-1.0, 9.0], at3
    assert {(h.step, h.value, h.timestamp) for h in hist if h.step != 3} == {
        (s, float(s * s), base + s) for s in range(250) if s != 3}
    got = cl.get_run(rid)
    assert got.data.metrics["curve"] == 249.0 * 249.0
    assert len(got.data.params) == 20 and got.data.params["hp7"] == "7" and got.data.tags["kind"] == "batch"
    cl.set_terminated(rid)
    assert cl.get_run(rid).info.status == "FINISHED"


@check
def update_run_status_and_name(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    rid = cl.create_run(c.exp_id, run_name="to-kill").info.run_id
    assert cl.get_run(rid).info.status == "RUNNING" and cl.get_run(rid).info.end_time is None
    cl.update_run(rid, name="renamed-run")
    got = cl.get_run(rid)
    assert got.info.run_name == "renamed-run" and got.data.tags["mlflow.runName"] == "renamed-run"
    cl.set_terminated(rid, "KILLED", end_time=1_800_000_000_000)
    got = cl.get_run(rid)
    assert got.info.status == "KILLED" and got.info.end_time == 1_800_000_000_000


@check
def delete_and_restore_run(c):
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    cl = MlflowClient()
    rid = c.search_runs[1]
    cl.delete_run(rid)
    assert cl.get_run(rid).info.lifecycle_stage == "deleted"
    active = _ids(c, cl.search_runs([c.search_exp_id], ""))
    assert 1 not in active and len(active) == 6
    deleted = _ids(c, cl.search_runs([c.search_exp_id], "", run_view_type=ViewType.DELETED_ONLY))
    assert deleted == [1], deleted
    assert len(cl.search_runs([c.search_exp_id], "", run_view_type=ViewType.ALL)) == 7
    cl.restore_run(rid)
    assert cl.get_run(rid).info.lifecycle_stage == "active"
    assert len(cl.search_runs([c.search_exp_id], "")) == 7


@check
def experiments_lifecycle_search_rename(c):
    from mlflow import MlflowClient
    from mlflow.entities import ViewType

    cl = MlflowClient()
    name = f"compat-lifecycle-{c.suffix}"
    eid = cl.create_experiment(name, tags={"owner": "compat", "k2": "v2"})
    expect_mlflow_error(lambda: cl.create_experiment(name), "RESOURCE_ALREADY_EXISTS")
    got = cl.get_experiment(eid)
    assert got.tags["owner"] == "compat" and got.lifecycle_stage == "active"
    cl.set_experiment_tag(eid, "owner", "changed")
    assert cl.get_experiment(eid).tags["owner"] == "changed"

    found = cl.search_experiments(filter_string=f"name = '{name}'")
    assert [e.experiment_id for e in found] == [eid]
    found = cl.search_experiments(filter_string=f"name LIKE 'compat-%-{c.suffix}'")
    assert eid in {e.experiment_id for e in found} and c.search_exp_id in {e.experiment_id for e in found}
    found = cl.search_experiments(filter_string="tags.owner = 'changed'")
    assert eid in {e.experiment_id for e in found}

    new_name = f"compat-renamed-{c.suffix}"
    cl.rename_experiment(eid, new_name)
    assert cl.get_experiment(eid).name == new_name
    assert cl.get_experiment_by_name(name) is None
    assert cl.get_experiment_by_name(new_name).experiment_id == eid

    run_id = cl.create_run(eid).info.run_id
    cl.delete_experiment(eid)
    assert cl.get_experiment(eid).lifecycle_stage == "deleted"
    active = {e.experiment_id for e in cl.search_experiments(filter_string=f"name = '{new_name}'")}
    assert eid not in active
    deleted = {e.experiment_id for e in cl.search_experiments(view_type=ViewType.DELETED_ONLY,
                                                              filter_string=f"name = '{new_name}'")}
    assert deleted == {eid}, deleted
    assert cl.get_run(run_id).info.lifecycle_stage == "deleted", "runs of a deleted experiment are deleted"
    cl.restore_experiment(eid)
    assert cl.get_experiment(eid).lifecycle_stage == "active"
    assert cl.get_run(run_id).info.lifecycle_stage == "active"


@check
def search_experiments_paging_and_order(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    prefix = f"compat-page-{c.suffix}-"
    ids = [cl.create_experiment(f"{prefix}{i}") for i in range(5)]
    flt = f"name LIKE '{prefix}%'"
    seen, token, pages = [], None, 0
    while True:
        page = cl.search_experiments(filter_string=flt, max_results=2, order_by=["name DESC"], page_token=token)
        seen.extend(e.experiment_id for e in page)
        pages += 1
        token = page.token
        if not token or pages > 10:
            break
    assert seen == list(reversed(ids)), (seen, ids)
    assert pages == 3


# --------------------------------------------------------------------------------------------- #
# Error cases
# --------------------------------------------------------------------------------------------- #
@check
def missing_resources_raise_not_found(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    expect_mlflow_error(lambda: cl.get_run(uuid.uuid4().hex), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.get_experiment("987654321"), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.log_param(uuid.uuid4().hex, "a", "b"), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.delete_tag(c.parent_id, "no-such-tag"), "RESOURCE_DOES_NOT_EXIST")


@check
def changing_a_param_is_invalid(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    e = expect_mlflow_error(lambda: cl.log_param(c.parent_id, "alpha", "0.7"), "INVALID_PARAMETER_VALUE")
    assert "alpha" in e.message
    assert cl.get_run(c.parent_id).data.params["alpha"] == "0.5", "the stored value is kept"
    from mlflow.entities import Param

    expect_mlflow_error(lambda: cl.log_batch(c.parent_id, params=[Param("solver", "adam")]),
                        "INVALID_PARAMETER_VALUE")
    assert cl.get_run(c.parent_id).data.params["solver"] == "lbfgs"


@check
def writes_to_deleted_or_finished_runs(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    rid = cl.create_run(c.exp_id).info.run_id
    cl.delete_run(rid)
    # MLflow refuses writes to a deleted run (the run must be active)
    expect_mlflow_error(lambda: cl.log_metric(rid, "m", 1.0), "INVALID_PARAMETER_VALUE")
    cl.restore_run(rid)
    cl.log_metric(rid, "m", 1.0)
    assert cl.get_run(rid).data.metrics["m"] == 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="tracking server, e.g. http://127.0.0.1:5000")
    ap.add_argument("-k", default=None, help="run only checks whose name contains this")
    args = ap.parse_args()

    os.environ["MLFLOW_TRACKING_URI"] = args.url
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    import logging
    import warnings

    import mlflow

    warnings.filterwarnings("ignore", category=UserWarning)  # dataset-source and schema hints

    logging.getLogger("mlflow").setLevel(logging.WARNING)  # no "View run at" lines per run
    mlflow.set_tracking_uri(args.url)
    c = Ctx(args.url)
    passed, failed = 0, []
    try:
        for fn in CHECKS:
            if args.k and args.k not in fn.__name__:
                continue
            t0 = time.perf_counter()
            try:
                fn(c)
            except Exception:  # noqa: BLE001  every failure is reported, then the next check runs
                failed.append(fn.__name__)
                print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
                while mlflow.active_run():
                    mlflow.end_run("FAILED")
            else:
                passed += 1
                print(f"ok   {fn.__name__} ({(time.perf_counter() - t0) * 1000:.0f} ms)", flush=True)
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    print(f"{passed} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
