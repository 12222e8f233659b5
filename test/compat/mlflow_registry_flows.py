#!/usr/bin/env python3
"""MLflow model registry flows driven by MLflow's own Python client against any MLflow-compatible server.

    /usr/bin/python3 test/compat/mlflow_registry_flows.py --url http://127.0.0.1:5000

Needs MLflow's client on PYTHONPATH (`../shared/anchors/mlflow/start_mlflow.sh env`) and Debian's
scikit-learn. Every check runs in order against one server; model names carry a unique suffix so
the script can be re-run against the same store. It must pass against the real MLflow server (that
is what keeps these expectations honest) and against Cairn. Exit status 0 only when every check passed.
"""
import argparse
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
        self.tmp = tempfile.mkdtemp(prefix="cairn-registry-compat-")
        self.model_name = f"heart-clf-{self.suffix}"
        self.exp_name = f"registry-flows-{self.suffix}"
        self.X = None
        self.models = {}  # version -> fitted sklearn model
        self.run_ids = {}  # version -> run id
        self.client_model = f"client-model-{self.suffix}"


def expect_mlflow_error(fn, code):
    from mlflow.exceptions import MlflowException

    try:
        fn()
    except MlflowException as e:
        # code None: MLflow itself answers 500 here (a bare MlflowException); Cairn answers 400
        assert code is None or e.error_code == code, f"expected {code}, got {e.error_code}: {e.message}"
        return e
    raise AssertionError(f"expected MlflowException {code}, nothing was raised")


def _train(seed):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] - 0.25 * X[:, 2] > 0).astype(int)
    return X, LogisticRegression(C=0.1 * (seed + 1)).fit(X, y)


# --------------------------------------------------------------------------------------------- #
# Fluent logging with registration, then loading by version and by alias
# --------------------------------------------------------------------------------------------- #
@check
def sklearn_log_model_registers_versions(c):
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_experiment(c.exp_name)
    for seed in (0, 1):
        X, model = _train(seed)
        c.X = X
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(
                model, "model", registered_model_name=c.model_name, pip_requirements=["scikit-learn"]
            )
        version = str(seed + 1)
        assert str(info.registered_model_version) == version, repr(info.registered_model_version)
        c.models[version] = model
        c.run_ids[version] = run.info.run_id

    cl = MlflowClient()
    rm = cl.get_registered_model(c.model_name)
    assert rm.name == c.model_name
    assert [v.version for v in rm.latest_versions] == ["2"], [v.version for v in rm.latest_versions]
    mv = cl.get_model_version(c.model_name, "1")
    assert mv.status == "READY" and mv.current_stage == "None", (mv.status, mv.current_stage)
    assert mv.run_id == c.run_ids["1"], (mv.run_id, c.run_ids["1"])
    run = cl.get_run(c.run_ids["1"])
    assert mv.source == f"{run.info.artifact_uri}/model", (mv.source, run.info.artifact_uri)
    assert cl.get_model_version_download_uri(c.model_name, "1") == mv.source


@check
def pyfunc_loads_by_version_and_alias(c):
    import mlflow
    import numpy as np
    from mlflow import MlflowClient

    for version, model in c.models.items():
        loaded = mlflow.pyfunc.load_model(f"models:/{c.model_name}/{version}")
        assert np.array_equal(np.asarray(loaded.predict(c.X)), model.predict(c.X)), f"version {version} predictions differ"
    cl = MlflowClient()
    cl.set_registered_model_alias(c.model_name, "champion", "1")
    champion = mlflow.pyfunc.load_model(f"models:/{c.model_name}@champion")
    assert np.array_equal(np.asarray(champion.predict(c.X)), c.models["1"].predict(c.X))
    cl.set_registered_model_alias(c.model_name, "champion", "2")
    champion = mlflow.sklearn.load_model(f"models:/{c.model_name}@champion")
    assert np.array_equal(champion.predict_proba(c.X), c.models["2"].predict_proba(c.X))


@check
def runs_uri_source_registers_and_loads(c):
    import mlflow
    import numpy as np
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = f"runs-source-{c.suffix}"
    cl.create_registered_model(name)
    run_id = c.run_ids["2"]
    mv = cl.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    assert mv.version == "1" and mv.run_id == run_id
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert np.array_equal(np.asarray(loaded.predict(c.X)), c.models["2"].predict(c.X))
    via_register = mlflow.register_model(f"runs:/{run_id}/model", name)
    assert via_register.version == "2", via_register.version
    run = cl.get_run(run_id)
    # the server stores a runs:/ source as given; register_model resolves it on the client first
    assert cl.get_model_version_download_uri(name, "1") == f"runs:/{run_id}/model"
    assert cl.get_model_version_download_uri(name, "2") == f"{run.info.artifact_uri}/model"


@check
def run_on_another_server_every_flow(c):
    """A registry apart from the tracking server: the version's run is not on this server at all."""
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = f"foreign-run-{c.suffix}"
    run_id = uuid.uuid4().hex  # a run id this server has never seen
    source = f"runs:/{run_id}/model"
    cl.create_registered_model(name, tags={"home": "elsewhere"})
    for i in range(2):
        mv = cl.create_model_version(name, source, run_id=run_id, tags={"i": str(i)}, description=f"v{i + 1}")
        assert (mv.version, mv.source, mv.run_id) == (str(i + 1), source, run_id), (mv.version, mv.source, mv.run_id)
    got = cl.get_model_version(name, "1")
    assert got.source == source and got.run_id == run_id and got.status == "READY"
    assert cl.get_model_version_download_uri(name, "1") == source
    assert cl.update_model_version(name, "1", description="remote").description == "remote"
    by_run = cl.search_model_versions(f"run_id = '{run_id}'", order_by=["version_number DESC"])
    assert [(v.name, v.version) for v in by_run] == [(name, "2"), (name, "1")], [(v.name, v.version) for v in by_run]
    by_source = cl.search_model_versions(f"name = '{name}' AND source_path = '{source}'")
    assert sorted(v.version for v in by_source) == ["1", "2"], [v.version for v in by_source]
    cl.transition_model_version_stage(name, "2", "Production")
    latest = {v.current_stage: v.version for v in cl.get_latest_versions(name)}
    assert latest == {"None": "1", "Production": "2"}, latest
    cl.set_model_version_tag(name, "1", "checked", "yes")
    cl.delete_model_version_tag(name, "1", "i")
    assert cl.get_model_version(name, "1").tags == {"checked": "yes"}
    cl.set_registered_model_alias(name, "champion", "2")
    assert cl.get_model_version_by_alias(name, "champion").source == source
    copy_name = f"{name}-copy"
    copied = cl.copy_model_version(f"models:/{name}@champion", copy_name)
    assert copied.version == "1" and copied.run_id == run_id, (copied.version, copied.run_id)
    assert cl.get_model_version_download_uri(copy_name, "1") == source
    cl.delete_registered_model_alias(name, "champion")
    cl.delete_model_version(name, "1")
    expect_mlflow_error(lambda: cl.get_model_version(name, "1"), "RESOURCE_DOES_NOT_EXIST")
    cl.delete_registered_model(copy_name)
    cl.delete_registered_model(name)
    expect_mlflow_error(lambda: cl.get_registered_model(name), "RESOURCE_DOES_NOT_EXIST")


# --------------------------------------------------------------------------------------------- #
# MlflowClient: registered models, versions, stages, aliases, tags
# --------------------------------------------------------------------------------------------- #
@check
def client_creates_model_and_versions(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    rm = cl.create_registered_model(c.client_model, tags={"team": "cardio"}, description="heart disease")
    assert rm.name == c.client_model and rm.description == "heart disease"
    assert rm.tags == {"team": "cardio"}, rm.tags
    source_run = c.run_ids["1"]
    source = cl.get_model_version(c.model_name, "1").source
    for i in range(3):
        mv = cl.create_model_version(
            c.client_model, source, run_id=source_run, tags={"i": str(i)}, description=f"v{i + 1}"
        )
        assert mv.version == str(i + 1), mv.version
        assert mv.tags == {"i": str(i)} and mv.description == f"v{i + 1}"
        assert mv.run_id == source_run and mv.source == source
    got = cl.get_model_version(c.client_model, "2")
    assert got.description == "v2" and got.current_stage == "None"
    assert got.creation_timestamp > 0 and got.last_updated_timestamp >= got.creation_timestamp


@check
def stages_and_latest_versions(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = c.client_model
    assert cl.transition_model_version_stage(name, "1", "staging").current_stage == "Staging"
    assert cl.transition_model_version_stage(name, "2", "Production").current_stage == "Production"
    latest = {v.current_stage: v.version for v in cl.get_latest_versions(name)}
    assert latest == {"Staging": "1", "Production": "2", "None": "3"}, latest
    cl.transition_model_version_stage(name, "3", "Production", archive_existing_versions=True)
    assert cl.get_model_version(name, "2").current_stage == "Archived"
    assert cl.get_model_version(name, "1").current_stage == "Staging"
    prod = cl.get_latest_versions(name, stages=["Production"])
    assert [v.version for v in prod] == ["3"], [v.version for v in prod]
    expect_mlflow_error(lambda: cl.transition_model_version_stage(name, "1", "Retired"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(
        lambda: cl.transition_model_version_stage(name, "1", "None", archive_existing_versions=True), None
    )


@check
def update_descriptions_and_tags(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = c.client_model
    assert cl.update_model_version(name, "1", description="retrained").description == "retrained"
    assert cl.update_registered_model(name, description="new text").description == "new text"
    cl.set_model_version_tag(name, "1", "validated", "yes")
    cl.set_model_version_tag(name, "1", "validated", "true")
    assert cl.get_model_version(name, "1").tags == {"i": "0", "validated": "true"}
    cl.delete_model_version_tag(name, "1", "i")
    assert cl.get_model_version(name, "1").tags == {"validated": "true"}
    cl.set_registered_model_tag(name, "owner", "ana")
    cl.delete_registered_model_tag(name, "team")
    assert cl.get_registered_model(name).tags == {"owner": "ana"}


@check
def aliases_move_and_delete(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = c.client_model
    cl.set_registered_model_alias(name, "champion", "1")
    cl.set_registered_model_alias(name, "challenger", "3")
    assert cl.get_model_version_by_alias(name, "champion").version == "1"
    cl.set_registered_model_alias(name, "champion", "3")
    mv = cl.get_model_version_by_alias(name, "champion")
    assert mv.version == "3" and sorted(mv.aliases) == ["challenger", "champion"], (mv.version, mv.aliases)
    assert cl.get_model_version(name, "1").aliases == []
    assert cl.get_registered_model(name).aliases == {"champion": "3", "challenger": "3"}
    cl.delete_registered_model_alias(name, "challenger")
    assert cl.get_registered_model(name).aliases == {"champion": "3"}
    expect_mlflow_error(lambda: cl.get_model_version_by_alias(name, "challenger"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.set_registered_model_alias(name, "latest", "1"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.set_registered_model_alias(name, "v2", "1"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.set_registered_model_alias(name, "ghost", "42"), "RESOURCE_DOES_NOT_EXIST")


@check
def search_model_versions_filters(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    versions = cl.search_model_versions(f"name = '{c.client_model}'")
    assert sorted(v.version for v in versions) == ["1", "2", "3"], [v.version for v in versions]
    by_run = cl.search_model_versions(f"run_id = '{c.run_ids['2']}'")
    expected = {(c.model_name, "2"), (f"runs-source-{c.suffix}", "1"), (f"runs-source-{c.suffix}", "2")}
    assert {(v.name, v.version) for v in by_run} == expected, [(v.name, v.version) for v in by_run]
    in_runs = cl.search_model_versions(f"run_id IN ('{c.run_ids['1']}', '{c.run_ids['2']}') AND name = '{c.model_name}'")
    assert sorted(v.version for v in in_runs) == ["1", "2"]
    tagged = cl.search_model_versions(f"name = '{c.client_model}' AND tags.validated = 'true'")
    assert [v.version for v in tagged] == ["1"]
    ordered = cl.search_model_versions(f"name = '{c.client_model}'", order_by=["version_number ASC"])
    assert [v.version for v in ordered] == ["1", "2", "3"]
    like = cl.search_model_versions(f"name LIKE 'client-model-{c.suffix}%' AND version_number > 1")
    assert sorted(v.version for v in like) == ["2", "3"]
    expect_mlflow_error(lambda: cl.search_model_versions("stage = 'x'"), "INVALID_PARAMETER_VALUE")


@check
def search_registered_models_filter_order_paging(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    prefix = f"search-rm-{c.suffix}"
    for n in ("b", "d", "a", "c", "e"):
        cl.create_registered_model(f"{prefix}-{n}", tags={"group": "vowel" if n in "ae" else "consonant"})
    flt = f"name LIKE '{prefix}-%'"
    everything = cl.search_registered_models(filter_string=flt)
    assert [m.name[-1] for m in everything] == ["a", "b", "c", "d", "e"], [m.name for m in everything]
    page = cl.search_registered_models(filter_string=flt, order_by=["name DESC"], max_results=2)
    seen = [m.name[-1] for m in page]
    while page.token:
        page = cl.search_registered_models(filter_string=flt, order_by=["name DESC"], max_results=2, page_token=page.token)
        seen += [m.name[-1] for m in page]
    assert seen == ["e", "d", "c", "b", "a"], seen
    vowels = cl.search_registered_models(filter_string=f"{flt} AND tags.group = 'vowel'")
    assert [m.name[-1] for m in vowels] == ["a", "e"]
    ilike = cl.search_registered_models(filter_string=f"name ILIKE '{prefix.upper()}-%'")
    assert len(ilike) == 5
    newest = cl.search_registered_models(filter_string=flt, order_by=["last_updated_timestamp DESC"], max_results=1)
    assert [m.name[-1] for m in newest] == ["e"], [m.name for m in newest]
    expect_mlflow_error(lambda: cl.search_registered_models(filter_string="owner = 'x'"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.search_registered_models(order_by=["color"]), "INVALID_PARAMETER_VALUE")


@check
def rename_keeps_versions_and_aliases(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    new_name = f"{c.client_model}-renamed"
    cl.rename_registered_model(c.client_model, new_name)  # returns None in MLflow 2.17's client
    assert cl.get_registered_model(new_name).name == new_name
    assert sorted(v.version for v in cl.search_model_versions(f"name = '{new_name}'")) == ["1", "2", "3"]
    assert cl.get_model_version_by_alias(new_name, "champion").version == "3"
    expect_mlflow_error(lambda: cl.get_registered_model(c.client_model), "RESOURCE_DOES_NOT_EXIST")
    c.client_model = new_name


@check
def delete_version_then_model(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = c.client_model
    cl.delete_model_version(name, "3")
    expect_mlflow_error(lambda: cl.get_model_version(name, "3"), "RESOURCE_DOES_NOT_EXIST")
    # MLflow 2.17 means to drop the deleted version's aliases but compares the request's string version
    # with the stored integer, so its alias dangles (RESOURCE_DOES_NOT_EXIST on lookup); Cairn drops it
    # (INVALID_PARAMETER_VALUE "alias not found"). Either way the alias no longer yields a version.
    expect_mlflow_error(lambda: cl.get_model_version_by_alias(name, "champion"), None)
    source = cl.get_model_version(name, "1").source
    again = cl.create_model_version(name, source, run_id=c.run_ids["1"])
    assert again.version == "4", f"a deleted version number must not be reused, got {again.version}"
    cl.delete_registered_model(name)
    expect_mlflow_error(lambda: cl.get_registered_model(name), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.get_model_version(name, "1"), "RESOURCE_DOES_NOT_EXIST")


@check
def error_cases(c):
    from mlflow import MlflowClient

    cl = MlflowClient()
    name = f"errors-{c.suffix}"
    cl.create_registered_model(name)
    expect_mlflow_error(lambda: cl.create_registered_model(name), "RESOURCE_ALREADY_EXISTS")
    expect_mlflow_error(lambda: cl.get_registered_model(f"missing-{c.suffix}"), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.create_model_version(f"missing-{c.suffix}", "s3://b/m"), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.get_model_version(name, "1"), "RESOURCE_DOES_NOT_EXIST")
    expect_mlflow_error(lambda: cl.delete_model_version(name, "7"), "RESOURCE_DOES_NOT_EXIST")
    other = f"errors-other-{c.suffix}"
    cl.create_registered_model(other)
    expect_mlflow_error(lambda: cl.rename_registered_model(other, name), "RESOURCE_ALREADY_EXISTS")
    expect_mlflow_error(lambda: cl.create_model_version(name, "/etc/passwd"), "INVALID_PARAMETER_VALUE")
    expect_mlflow_error(lambda: cl.create_model_version(name, "s3://bucket/../../x"), "INVALID_PARAMETER_VALUE")
    cl.delete_registered_model(name)
    cl.delete_registered_model(other)


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

    warnings.filterwarnings("ignore")  # stage deprecation, signature and environment hints
    logging.getLogger("mlflow").setLevel(logging.ERROR)
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
