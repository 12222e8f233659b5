// Test support (no I/O here): the Python program the parity tests hand to Debian's python to
// build the anchor protocol's folds (shared/anchors/ml/sklearn_baselines.py: median impute,
// most-frequent + one-hot(ignore), StratifiedKFold(5, shuffle=True, random_state=42), the
// preprocessing fit on each training fold), optionally with scikit-learn's own fitted results.
import { matrix, type Matrix } from '../../../src/learn/core/matrix.js';

export interface AnchorFoldJson {
  nCols: number;
  xtr: number[];
  ytr: number[];
  xte: number[];
  yte: number[];
  sk?: { proba: number[]; pred: number[]; nodeCount?: number; feature?: number[]; threshold?: number[] };
}

export interface AnchorFold {
  Xtr: Matrix;
  ytr: Float64Array;
  Xte: Matrix;
  yte: Float64Array;
  sk?: AnchorFoldJson['sk'];
}

export function toAnchorFold(f: AnchorFoldJson): AnchorFold {
  return {
    Xtr: matrix(f.ytr.length, f.nCols, Float64Array.from(f.xtr)),
    ytr: Float64Array.from(f.ytr),
    Xte: matrix(f.yte.length, f.nCols, Float64Array.from(f.xte)),
    yte: Float64Array.from(f.yte),
    sk: f.sk,
  };
}

/** stdin: {"data_dir", "dataset": "heart"|"stroke", "model": null|"dt"|"dt_entropy"|"rf"|"xgb"}; stdout: AnchorFoldJson[]. */
export const ANCHOR_FOLDS_PY = String.raw`
import json, sys, os, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
inp = json.load(sys.stdin)
d = inp["data_dir"]
if inp["dataset"] == "heart":
    df = pd.read_csv(os.path.join(d, "heart_disease_uci.csv"))
    y = (df["num"] > 0).astype(int).to_numpy(); X = df.drop(columns=["id", "dataset", "num"])
    num = ["age", "trestbps", "chol", "thalch", "oldpeak", "ca"]; cat = ["sex", "cp", "fbs", "restecg", "exang", "slope", "thal"]
else:
    df = pd.read_csv(os.path.join(d, "stroke.csv"))
    y = df["stroke"].astype(int).to_numpy(); X = df.drop(columns=["id", "stroke"])
    num = ["age", "hypertension", "heart_disease", "avg_glucose_level", "bmi"]; cat = ["gender", "ever_married", "work_type", "Residence_type", "smoking_status"]
def prep():
    return ColumnTransformer([("num", Pipeline([("impute", SimpleImputer(strategy="median"))]), num),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), cat)])
def model(name):
    if name == "dt":
        from sklearn.tree import DecisionTreeClassifier; return DecisionTreeClassifier(random_state=42)
    if name == "dt_entropy":
        from sklearn.tree import DecisionTreeClassifier; return DecisionTreeClassifier(criterion="entropy", random_state=7, min_samples_leaf=2)
    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier; return RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1)
    if name == "xgb":
        from xgboost import XGBClassifier
        return XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, tree_method="hist", n_jobs=2, random_state=42, eval_metric="logloss")
out = []
for tr, te in StratifiedKFold(5, shuffle=True, random_state=42).split(X, y):
    p = prep().fit(X.iloc[tr])
    xtr = p.transform(X.iloc[tr]).astype(float); xte = p.transform(X.iloc[te]).astype(float)
    f = {"nCols": int(xtr.shape[1]), "xtr": xtr.ravel().tolist(), "ytr": y[tr].tolist(), "xte": xte.ravel().tolist(), "yte": y[te].tolist()}
    if inp.get("model"):
        m = model(inp["model"]).fit(xtr, y[tr])
        sk = {"proba": m.predict_proba(xte)[:, 1].tolist(), "pred": m.predict(xte).tolist()}
        if inp["model"].startswith("dt"):
            t = m.tree_
            sk["nodeCount"] = int(t.node_count); sk["feature"] = t.feature.tolist(); sk["threshold"] = t.threshold.tolist()
        f["sk"] = sk
    out.append(f)
print(json.dumps(out))
`;

/** stdin: {"folds": [{"y": [...], "p": [...]}]}; stdout: per-fold roc_auc_score. */
export const ROC_AUC_PY = String.raw`
import json, sys
from sklearn.metrics import roc_auc_score
print(json.dumps([roc_auc_score(f["y"], f["p"]) for f in json.load(sys.stdin)["folds"]]))
`;

/** Anchor ROC-AUC means from shared/anchors/ml/RESULTS.md. */
export const ANCHOR_AUC = {
  heart: { rf: 0.878, xgb: 0.861 },
  stroke: { rf: 0.79, xgb: 0.796 },
} as const;
