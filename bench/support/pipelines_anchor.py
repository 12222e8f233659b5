#!/usr/bin/python3
"""Python anchor of `npm run bench -- pipelines`: what `cairn train heart` and
`cairn train stroke --models rf --tune tpe --max-evals 50` do, written the way the reference
projects' train_models.py and tune_random_forest.py do it (scikit-learn + XGBoost + Optuna's TPE +
MLflow's client against a real MLflow server).

Run with Debian's python and MLflow's client on PYTHONPATH (`start_mlflow.sh env` prints it):

    eval "$(bash $CAIRN_SHARED/anchors/mlflow/start_mlflow.sh env)"
    /usr/bin/python3 bench/support/pipelines_anchor.py --tracking-uri http://127.0.0.1:5001 \
        --data-dir $CAIRN_SHARED/data

heart: one MLflow run per model family. Each run: StratifiedKFold(cv, shuffle=True, random_state=seed)
over all rows (the fold indices Cairn reproduces), the six metrics per fold at threshold 0.5 (mean and
std logged), a fit on a stratified 80% training split scored on the 20% holdout (holdout_* metrics),
params (pipeline.get_params(deep=True), every estimator and preprocessing param), tags (data set name,
SHA-256, rows, family, git commit), the data set as a run input, artifacts (classification report,
confusion matrix / ROC / PR / calibration / feature-importance PNGs) and the model
(mlflow.sklearn.log_model with signature and input example).

stroke: the tuned family's baseline run as above, then a parent run with one nested run per Optuna
trial (TPESampler(seed)): params and CV metrics per child, the best trial tagged on the parent with
its params and metrics, and a search-progress PNG.

--preset cairn (default) mirrors Cairn's model families and data handling (src/pipelines/
model-families.ts, dataset-spec.ts): chol == 0 / trestbps == 0 read as missing; DT max_depth 6,
min_samples_leaf 5; RF 100 trees, min_samples_leaf 2; GBM = XGBoost hist, 100 rounds, depth 3,
eta 0.1, subsample 0.8; KNN k = 15, distance weights; class_weight='balanced' (LR, DT, RF) or SMOTE
inside the folds (GBM, KNN) on an imbalanced target. Same hyper-parameters, so the CV ROC-AUC can be
compared. --preset baselines uses anchors/ml/sklearn_baselines.py's models and data handling as
written (KNN k = 7, unpruned DT, XGBoost depth 6 eta 0.3).

Prints one JSON line (the last line of stdout): wall seconds per phase, CV ROC-AUC per model, the
best trial.
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
import xgboost  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.inspection import permutation_importance  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score, average_precision_score, classification_report, confusion_matrix,
    precision_recall_fscore_support, roc_auc_score)
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from xgboost import XGBClassifier  # noqa: E402

import mlflow  # noqa: E402
import mlflow.sklearn  # noqa: E402
import optuna  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

try:
    import matplotlib  # noqa: E402

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
    from sklearn.calibration import calibration_curve  # noqa: E402
    from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402
except ImportError:  # Debian's python3-matplotlib absent: no plots (said in the JSON)
    plt = None

IMPORT_S = time.perf_counter() - T_START

METRICS = ["accuracy", "precision_1", "recall_1", "f1_1", "roc_auc", "pr_auc"]
FAMILY_NAMES = {"lr": "LogisticRegression", "dt": "DecisionTree", "rf": "RandomForest", "gbm": "XGBoost",
                "knn": "KNN"}
SCALED = {"lr": True, "dt": False, "rf": False, "gbm": False, "knn": True}


# ----------------------------------------------------------------------------- data
def load(data_dir, name, preset):
    """X, y, numeric, categorical, sha256 of the file, as Cairn's dataset specs (or the baselines) read it."""
    if name == "heart":
        path = os.path.join(data_dir, "heart_disease_uci.csv")
        df = pd.read_csv(path)
        df = df[df["num"].notna()]
        y = (df["num"] > 0).astype(int).to_numpy()
        X = df.drop(columns=["id", "dataset", "num"])
        num = ["age", "trestbps", "chol", "thalch", "oldpeak", "ca"]
        cat = ["sex", "cp", "fbs", "restecg", "exang", "slope", "thal"]
        if preset == "cairn":  # 0 is a placeholder for "unknown" in these two columns
            for c in ["chol", "trestbps"]:
                X[c] = X[c].replace(0, np.nan)
    else:
        path = os.path.join(data_dir, "stroke.csv")
        df = pd.read_csv(path)  # bmi 'N/A' -> NaN; smoking_status 'Unknown' stays a category (as Cairn)
        y = df["stroke"].astype(int).to_numpy()
        X = df.drop(columns=["id", "stroke"])
        num = ["age", "hypertension", "heart_disease", "avg_glucose_level", "bmi"]
        cat = ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]
    for c in cat:  # categories as text (fbs / exang are booleans in the file)
        X[c] = X[c].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return X, y, num, cat, digest, path


# ----------------------------------------------------------------------------- models
def preprocessor(num, cat, scale):
    num_steps = [("impute", SimpleImputer(strategy="median"))]
    if scale:
        num_steps.append(("scale", StandardScaler()))
    cat_steps = [("impute", SimpleImputer(strategy="most_frequent")),
                 ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]
    return ColumnTransformer([("num", Pipeline(num_steps), num), ("cat", Pipeline(cat_steps), cat)])


def estimator(family, preset, seed, imbalanced):
    """The classifier of a family; on an imbalanced target, whether it needs SMOTE in the folds."""
    cw = "balanced" if imbalanced else None
    if preset == "baselines":
        return {
            "lr": LogisticRegression(max_iter=1000, class_weight=cw),
            "dt": DecisionTreeClassifier(random_state=seed, class_weight=cw),
            "rf": RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1, class_weight=cw),
            "gbm": XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, tree_method="hist", n_jobs=2,
                                 random_state=seed, eval_metric="logloss"),
            "knn": KNeighborsClassifier(n_neighbors=7),
        }[family], family in ("gbm", "knn") and imbalanced
    return {
        "lr": LogisticRegression(max_iter=1000, class_weight=cw),
        "dt": DecisionTreeClassifier(max_depth=6, min_samples_leaf=5, class_weight=cw, random_state=seed),
        "rf": RandomForestClassifier(n_estimators=100, min_samples_leaf=2, class_weight=cw, random_state=seed,
                                     n_jobs=1),
        "gbm": XGBClassifier(n_estimators=100, learning_rate=0.1, max_depth=3, subsample=0.8, tree_method="hist",
                             n_jobs=2, random_state=seed, eval_metric="logloss"),
        "knn": KNeighborsClassifier(n_neighbors=15, weights="distance"),
    }[family], family in ("gbm", "knn") and imbalanced


def make_pipeline(family, num, cat, preset, seed, imbalanced, **model_params):
    model, smote = estimator(family, preset, seed, imbalanced)
    model.set_params(**model_params)
    prep = preprocessor(num, cat, SCALED[family])
    if smote:  # synthetic rows made inside each training fold only
        from imblearn.over_sampling import SMOTE
        from imblearn.pipeline import Pipeline as ImbPipeline
        return ImbPipeline([("prep", prep), ("smote", SMOTE(k_neighbors=5, random_state=seed)), ("model", model)])
    return Pipeline([("prep", prep), ("model", model)])


# ----------------------------------------------------------------------------- evaluation
def metric_set(y_true, proba, threshold=0.5):
    pred = (proba > threshold).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y_true, pred, average="binary", pos_label=1, zero_division=0)
    return {"accuracy": accuracy_score(y_true, pred), "precision_1": p, "recall_1": r, "f1_1": f,
            "roc_auc": roc_auc_score(y_true, proba), "pr_auc": average_precision_score(y_true, proba)}


def cross_validate(make, X, y, cv, seed):
    """Per-fold metrics (mean, population std) and the out-of-fold probabilities."""
    oof = np.zeros(len(y))
    folds = []
    for tr, te in StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, y):
        pipe = make().fit(X.iloc[tr], y[tr])
        oof[te] = pipe.predict_proba(X.iloc[te])[:, 1]
        folds.append(metric_set(y[te], oof[te]))
    summary = {m: (float(np.mean([f[m] for f in folds])), float(np.std([f[m] for f in folds]))) for m in METRICS}
    return summary, oof


def scalar(v):
    return v is None or isinstance(v, (str, int, float, bool, np.integer, np.floating))


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=3)
        return out.stdout.strip() if out.returncode == 0 else None
    except Exception:
        return None


# ----------------------------------------------------------------------------- plots
def log_figure(fig, name):
    mlflow.log_figure(fig, name)
    plt.close(fig)


def log_plots(y_hold, proba_hold, pred_hold, importances, feature_names):
    fig, ax = plt.subplots(figsize=(4, 4))
    cm = confusion_matrix(y_hold, pred_hold, labels=[0, 1])
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        ax.text(j, i, str(v), ha="center", va="center")
    ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix (holdout)", xticks=[0, 1], yticks=[0, 1])
    log_figure(fig, "plots/confusion_matrix.png")

    fpr, tpr, _ = roc_curve(y_hold, proba_hold)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot(fpr, tpr)
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (holdout)")
    log_figure(fig, "plots/roc_curve.png")

    prec, rec, _ = precision_recall_curve(y_hold, proba_hold)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot(rec, prec)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (holdout)")
    log_figure(fig, "plots/pr_curve.png")

    frac, mean_p = calibration_curve(y_hold, proba_hold, n_bins=10)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot(mean_p, frac, marker="o")
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.set(xlabel="mean predicted probability", ylabel="fraction of positives", title="Calibration (holdout)")
    log_figure(fig, "plots/calibration.png")

    order = np.argsort(importances)[::-1][:20]
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.barh([feature_names[i] for i in order][::-1], importances[order][::-1])
    ax.set(title="Feature importance")
    fig.tight_layout()
    log_figure(fig, "plots/feature_importance.png")


def importances_of(pipe, X_hold, y_hold, seed):
    """The model's own importances (impurity, gain, |coef|), else permutation importance on the holdout."""
    model = pipe.named_steps["model"]
    names = list(pipe.named_steps["prep"].get_feature_names_out())
    if hasattr(model, "feature_importances_"):
        return np.asarray(model.feature_importances_), names
    if hasattr(model, "coef_"):
        return np.abs(model.coef_[0]), names
    r = permutation_importance(pipe, X_hold, y_hold, scoring="roc_auc", n_repeats=5, random_state=seed)
    return r.importances_mean, list(X_hold.columns)


# ----------------------------------------------------------------------------- one model run
def train_model_run(family, ds, X, y, num, cat, digest, path, split, o, imbalanced):
    """One training run (train_models.py's loop body): CV, holdout fit, everything logged."""
    t0 = time.perf_counter()
    make = lambda **kw: make_pipeline(family, num, cat, o.preset, o.seed, imbalanced, **kw)  # noqa: E731
    X_tr, X_ho, y_tr, y_ho = split
    with mlflow.start_run(run_name=f"{ds}-{family}") as run:
        cv, _ = cross_validate(make, X, y, o.cv, o.seed)
        pipe = make().fit(X_tr, y_tr)
        proba = pipe.predict_proba(X_ho)[:, 1]
        hold = metric_set(y_ho, proba)
        params = {k: v for k, v in pipe.get_params(deep=True).items() if scalar(v)
                  or (isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v))}
        params.update({"model_family": family, "dataset": ds, "cv_folds": o.cv, "seed": o.seed,
                       "holdout_fraction": 0.2})
        mlflow.log_params(params)
        metrics = {}
        for m in METRICS:
            metrics[m], metrics[f"{m}_std"] = cv[m]
            metrics[f"holdout_{m}"] = hold[m]
        metrics["train_seconds"] = time.perf_counter() - t0
        mlflow.log_metrics(metrics)
        tags = {"cairn.dataset.name": ds, "cairn.dataset.digest": digest, "cairn.dataset.rows": str(len(y)),
                "cairn.model.family": family, "mlflow.note.content": f"{FAMILY_NAMES[family]} on {ds}"}
        commit = git_commit()
        if commit:
            tags["mlflow.source.git.commit"] = commit
        mlflow.set_tags(tags)
        frame = X.assign(target=y)
        mlflow.log_input(mlflow.data.from_pandas(frame, source=path, name=ds, targets="target"),
                         context="training")
        pred = (proba > 0.5).astype(int)
        mlflow.log_text(classification_report(y_ho, pred, digits=3, zero_division=0), "classification_report.txt")
        if plt is not None and not o.no_plots:
            imp, names = importances_of(pipe, X_ho, y_ho, o.seed)
            log_plots(y_ho, proba, pred, imp, names)
        signature = infer_signature(X_tr, pipe.predict_proba(X_tr.head(20)))
        mlflow.sklearn.log_model(pipe, "model", signature=signature, input_example=X_tr.head(5))
        run_id = run.info.run_id
    return {"run_id": run_id, "wall_s": time.perf_counter() - t0,
            "cv": {m: {"mean": cv[m][0], "std": cv[m][1]} for m in METRICS},
            "holdout": hold}


# ----------------------------------------------------------------------------- phases
def phase_heart(o):
    X, y, num, cat, digest, path = load(o.data_dir, "heart", o.preset)
    split = train_test_split(X, y, test_size=0.2, stratify=y, random_state=o.seed)
    mlflow.set_experiment(o.heart_experiment)
    models = {}
    for family in o.models:
        models[family] = train_model_run(family, "heart", X, y, num, cat, digest, path, split, o, False)
        print(f"heart {family}: roc_auc {models[family]['cv']['roc_auc']['mean']:.4f} "
              f"in {models[family]['wall_s']:.2f}s", file=sys.stderr, flush=True)
    return {"rows": int(len(y)), "models": models}


def suggest(trial, family):
    """Cairn's search space of the family (src/pipelines/tuning/model-spaces.ts) in Optuna's terms."""
    if family == "rf":
        return {"n_estimators": trial.suggest_int("n_estimators", 50, 400, log=True),
                "max_depth": trial.suggest_int("max_depth", 3, 20),
                "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20, log=True),
                "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 0.5])}
    if family == "gbm":
        return {"learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
                "n_estimators": trial.suggest_int("n_estimators", 50, 500, log=True),
                "max_depth": trial.suggest_int("max_depth", 2, 8),
                "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10, log=True)}
    raise SystemExit(f"--tune-family must be rf or gbm, got {family}")


def phase_stroke(o):
    X, y, num, cat, digest, path = load(o.data_dir, "stroke", o.preset)
    split = train_test_split(X, y, test_size=0.2, stratify=y, random_state=o.seed)
    mlflow.set_experiment(o.stroke_experiment)
    family = o.tune_family
    t0 = time.perf_counter()
    baseline = None
    if not o.smoke:  # the same code path as heart's runs; --smoke spares it
        baseline = train_model_run(family, "stroke", X, y, num, cat, digest, path, split, o, True)
        print(f"stroke {family} baseline: roc_auc {baseline['cv']['roc_auc']['mean']:.4f} "
              f"in {baseline['wall_s']:.2f}s", file=sys.stderr, flush=True)
    t1 = time.perf_counter()
    trials = []
    client = mlflow.MlflowClient()
    with mlflow.start_run(run_name=f"stroke-{family}-tpe") as parent:
        mlflow.set_tags({"cairn.tuning.role": "parent", "cairn.tuning.sampler": "tpe",
                         "cairn.tuning.metric": o.tune_metric, "cairn.tuning.max_evals": str(o.max_evals)})
        mlflow.log_params({"tuning_sampler": "tpe", "tuning_seed": o.seed, "tuning_metric": o.tune_metric,
                           "model_family": family})

        def objective(trial):
            params = suggest(trial, family)
            with mlflow.start_run(run_name=f"trial-{trial.number}", nested=True) as child:
                make = lambda: make_pipeline(family, num, cat, o.preset, o.seed, True, **params)  # noqa: E731
                cv, _ = cross_validate(make, X, y, o.cv, o.seed)
                mlflow.log_params(params)
                mlflow.set_tags({"cairn.tuning.role": "trial", "cairn.tuning.trial_number": str(trial.number)})
                mlflow.log_metrics({**{m: cv[m][0] for m in METRICS}, **{f"{m}_std": cv[m][1] for m in METRICS}})
                trial.set_user_attr("run_id", child.info.run_id)
                trial.set_user_attr("roc_auc", cv["roc_auc"][0])
                trial.set_user_attr("pr_auc", cv["pr_auc"][0])
                client.log_metric(parent.info.run_id, f"trial_{o.tune_metric}", cv[o.tune_metric][0],
                                  step=trial.number)
                trials.append({"number": trial.number, "value": cv[o.tune_metric][0], "params": params,
                               "roc_auc": cv["roc_auc"][0], "pr_auc": cv["pr_auc"][0]})
                print(f"  trial {trial.number}: {o.tune_metric} {cv[o.tune_metric][0]:.4f}", file=sys.stderr,
                      flush=True)
            return cv[o.tune_metric][0]

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=o.seed))
        study.optimize(objective, n_trials=o.max_evals)
        best = study.best_trial
        mlflow.set_tags({"best_trial_run_id": best.user_attrs["run_id"], "best_trial_number": str(best.number),
                         "cairn.tuning.best_params": json.dumps(best.params)})
        mlflow.log_params({f"best_{k}": v for k, v in best.params.items()})
        mlflow.log_metrics({f"best_{o.tune_metric}": best.value, "best_roc_auc": best.user_attrs["roc_auc"],
                            "best_pr_auc": best.user_attrs["pr_auc"]})
        client.set_tag(best.user_attrs["run_id"], "cairn.tuning.best", "true")
        if plt is not None and not o.no_plots:
            values = [t["value"] for t in trials]
            fig, ax = plt.subplots(figsize=(6, 4))
            ax.plot(range(len(values)), values, "o", alpha=0.5, label="trial")
            ax.plot(range(len(values)), np.maximum.accumulate(values), label="best so far")
            ax.set(xlabel="trial", ylabel=o.tune_metric, title="Search progress")
            ax.legend()
            log_figure(fig, "plots/search_progress.png")
        parent_id = parent.info.run_id
    return {"rows": int(len(y)), "family": family, "baseline": baseline, "baseline_wall_s": t1 - t0,
            "tuning": {"parent_run_id": parent_id, "trials": len(trials), "metric": o.tune_metric,
                       "wall_s": time.perf_counter() - t1,
                       "best": {"number": best.number, "params": best.params, "value": best.value,
                                "roc_auc": best.user_attrs["roc_auc"], "pr_auc": best.user_attrs["pr_auc"],
                                "run_id": best.user_attrs["run_id"]}}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--data-dir", required=True, help="folder with heart_disease_uci.csv and stroke.csv")
    ap.add_argument("--only", choices=["heart", "stroke"])
    ap.add_argument("--models", default="lr,dt,rf,gbm,knn")
    ap.add_argument("--cv", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-evals", type=int, default=50)
    ap.add_argument("--tune-family", default="rf", choices=["rf", "gbm"])
    ap.add_argument("--tune-metric", default="pr_auc", choices=METRICS,
                    help="objective (Cairn selects and tunes by pr_auc on an imbalanced target)")
    ap.add_argument("--preset", default="cairn", choices=["cairn", "baselines"])
    ap.add_argument("--heart-experiment", default="heart-disease")
    ap.add_argument("--stroke-experiment", default="stroke")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--smoke", action="store_true", help="heart lr,dt; 2 folds; stroke: 3 trials, no baseline run (a quick check)")
    o = ap.parse_args()
    o.models = o.models.split(",")
    for m in o.models:
        if m not in FAMILY_NAMES:
            ap.error(f"--models: unknown family {m!r} (known: {','.join(FAMILY_NAMES)})")
    if o.smoke:
        o.models, o.cv, o.max_evals = ["lr", "dt"], 2, 3
    warnings.filterwarnings("ignore")
    mlflow.set_tracking_uri(o.tracking_uri)
    out = {"anchor": "pipelines", "import_s": IMPORT_S, "plots": plt is not None and not o.no_plots,
           "config": {"preset": o.preset, "models": o.models, "cv": o.cv, "seed": o.seed, "max_evals": o.max_evals,
                      "tune_family": o.tune_family, "tune_metric": o.tune_metric},
           "environment": {"python": sys.version.split()[0], "sklearn": sklearn.__version__,
                           "xgboost": xgboost.__version__, "optuna": optuna.__version__,
                           "mlflow": mlflow.__version__, "pandas": pd.__version__, "numpy": np.__version__,
                           "platform": platform.platform()},
           "phases": {}}
    if o.only in (None, "heart"):
        t0 = time.perf_counter()
        heart = phase_heart(o)
        heart["wall_s"] = time.perf_counter() - t0
        out["phases"]["heart"] = heart
    if o.only in (None, "stroke"):
        t0 = time.perf_counter()
        stroke = phase_stroke(o)
        stroke["wall_s"] = time.perf_counter() - t0
        out["phases"]["stroke"] = stroke
    out["total_s"] = time.perf_counter() - T_START
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
