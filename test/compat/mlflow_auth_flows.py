#!/usr/bin/env python3
"""MLflow's basic-auth flows driven by MLflow's own Python client (AuthServiceClient, MlflowClient,
the fluent API) against a server started with authentication (Cairn's `cairn server --auth`, or
`mlflow server --app-name basic-auth`).

    MLFLOW_TRACKING_USERNAME=admin MLFLOW_TRACKING_PASSWORD=... \
        /usr/bin/python3 test/compat/mlflow_auth_flows.py --url http://127.0.0.1:5000

The admin's credentials come from the environment at start; each check switches the environment
to the user it acts as, as a user of MLflow's client would. Exit status 0 only when every check passed.
"""
import argparse
import os
import sys
import time
import traceback
import uuid

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Ctx:
    def __init__(self, url):
        self.url = url
        s = f"{int(time.time() * 1000)}-{uuid.uuid4().hex[:6]}"
        self.admin = (os.environ["MLFLOW_TRACKING_USERNAME"], os.environ["MLFLOW_TRACKING_PASSWORD"])
        self.alice = (f"alice-{s}", "alice-password-1")
        self.bob = (f"bob-{s}", "bob-password-1")
        self.exp_name = f"auth-flows-{s}"
        self.model = f"auth-model-{s}"
        self.exp_id = None
        self.run_id = None


def act_as(creds):
    os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
    if creds is None:
        os.environ.pop("MLFLOW_TRACKING_USERNAME", None)
        os.environ.pop("MLFLOW_TRACKING_PASSWORD", None)
    else:
        os.environ["MLFLOW_TRACKING_USERNAME"], os.environ["MLFLOW_TRACKING_PASSWORD"] = creds


def auth_client(c):
    from mlflow.server.auth.client import AuthServiceClient

    return AuthServiceClient(c.url)


def refused(fn, code):
    from mlflow.exceptions import MlflowException, RestException

    try:
        fn()
    except (MlflowException, RestException) as e:
        assert e.error_code == code, f"expected {code}, got {e.error_code}: {e}"
        return
    raise AssertionError(f"expected {code}, the call succeeded")


@check
def admin_creates_users(c):
    act_as(c.admin)
    user = auth_client(c).create_user(*c.alice)
    assert user.username == c.alice[0] and not user.is_admin, user
    auth_client(c).create_user(*c.bob)
    got = auth_client(c).get_user(c.bob[0])
    assert got.username == c.bob[0] and got.experiment_permissions == [], got


@check
def creator_gets_manage(c):
    import mlflow

    act_as(c.alice)
    c.exp_id = mlflow.create_experiment(c.exp_name)
    with mlflow.start_run(experiment_id=c.exp_id) as run:
        mlflow.log_metric("accuracy", 0.9)
        c.run_id = run.info.run_id
    perm = auth_client(c).get_experiment_permission(c.exp_id, c.alice[0])
    assert perm.permission == "MANAGE", perm
    mine = auth_client(c).get_user(c.alice[0])
    assert [p.experiment_id for p in mine.experiment_permissions] == [c.exp_id], mine


@check
def a_user_cannot_see_other_users_or_manage_others_experiments(c):
    act_as(c.bob)
    refused(lambda: auth_client(c).get_user(c.alice[0]), "PERMISSION_DENIED")
    refused(lambda: auth_client(c).get_experiment_permission(c.exp_id, c.alice[0]), "PERMISSION_DENIED")
    refused(lambda: auth_client(c).create_user("mallory-x", "mallory-password"), "PERMISSION_DENIED")
    refused(lambda: auth_client(c).update_user_admin(c.bob[0], True), "PERMISSION_DENIED")


@check
def manager_grants_read_then_edit(c):
    from mlflow import MlflowClient

    act_as(c.alice)
    created = auth_client(c).create_experiment_permission(c.exp_id, c.bob[0], "READ")
    assert created.permission == "READ", created
    act_as(c.bob)
    assert MlflowClient().get_run(c.run_id).data.metrics["accuracy"] == 0.9
    refused(lambda: MlflowClient().log_metric(c.run_id, "accuracy", 0.1), "PERMISSION_DENIED")
    act_as(c.alice)
    auth_client(c).update_experiment_permission(c.exp_id, c.bob[0], "EDIT")
    act_as(c.bob)
    MlflowClient().log_metric(c.run_id, "loss", 0.3)
    refused(lambda: MlflowClient().delete_run(c.run_id), "PERMISSION_DENIED")
    act_as(c.alice)
    auth_client(c).update_experiment_permission(c.exp_id, c.bob[0], "NO_PERMISSIONS")
    act_as(c.bob)
    refused(lambda: MlflowClient().get_run(c.run_id), "PERMISSION_DENIED")
    names = [e.name for e in MlflowClient().search_experiments()]
    assert c.exp_name not in names, names
    act_as(c.alice)
    auth_client(c).delete_experiment_permission(c.exp_id, c.bob[0])
    refused(lambda: auth_client(c).get_experiment_permission(c.exp_id, c.bob[0]), "RESOURCE_DOES_NOT_EXIST")


@check
def registered_model_permissions(c):
    from mlflow import MlflowClient

    act_as(c.alice)
    MlflowClient().create_registered_model(c.model)
    assert auth_client(c).get_registered_model_permission(c.model, c.alice[0]).permission == "MANAGE"
    auth_client(c).create_registered_model_permission(c.model, c.bob[0], "READ")
    act_as(c.bob)
    assert MlflowClient().get_registered_model(c.model).name == c.model
    refused(lambda: MlflowClient().delete_registered_model(c.model), "PERMISSION_DENIED")
    act_as(c.alice)
    auth_client(c).update_registered_model_permission(c.model, c.bob[0], "MANAGE")
    got = auth_client(c).get_registered_model_permission(c.model, c.bob[0])
    assert got.permission == "MANAGE", got
    auth_client(c).delete_registered_model_permission(c.model, c.bob[0])


@check
def password_change_and_admin_user_management(c):
    import mlflow
    from mlflow import MlflowClient

    act_as(c.bob)
    auth_client(c).update_user_password(c.bob[0], "bob-password-2")
    refused(lambda: MlflowClient().search_experiments(), "UNAUTHENTICATED")
    c.bob = (c.bob[0], "bob-password-2")
    act_as(c.bob)
    MlflowClient().search_experiments()
    act_as(c.admin)
    auth_client(c).update_user_admin(c.bob[0], True)
    assert auth_client(c).get_user(c.bob[0]).is_admin
    auth_client(c).delete_user(c.bob[0])
    act_as(c.bob)
    refused(lambda: mlflow.search_experiments(), "UNAUTHENTICATED")


@check
def token_from_mlflow_tracking_token(c):
    import requests
    from mlflow import MlflowClient

    r = requests.post(
        f"{c.url}/api/2.0/cairn/users/tokens/create",
        json={"username": c.alice[0], "name": "compat"},
        auth=c.alice,
        timeout=30,
    )
    if r.status_code == 404:
        return  # an MLflow server has no tokens: nothing to check there
    r.raise_for_status()
    act_as(None)
    os.environ["MLFLOW_TRACKING_TOKEN"] = r.json()["secret"]
    assert MlflowClient().get_experiment(c.exp_id).name == c.exp_name
    act_as(None)
    refused(lambda: MlflowClient().get_experiment(c.exp_id), "UNAUTHENTICATED")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    args = p.parse_args()
    import logging
    import warnings

    import mlflow

    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    mlflow.set_tracking_uri(args.url)
    c = Ctx(args.url)
    passed, failed = 0, []
    for fn in CHECKS:
        t0 = time.perf_counter()
        try:
            fn(c)
        except Exception:  # noqa: BLE001  every failure is reported, then the next check runs
            failed.append(fn.__name__)
            print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok   {fn.__name__} ({(time.perf_counter() - t0) * 1000:.0f} ms)", flush=True)
    print(f"{passed} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
