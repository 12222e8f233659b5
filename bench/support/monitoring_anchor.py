#!/usr/bin/python3
"""Python anchor of `npm run bench -- monitoring`: the drift statistics of one monitoring pass,
computed the way Evidently computes its defaults, with SciPy and pandas, on the same reference sample
and the same window of logged predictions that Cairn reads.

    /usr/bin/python3 bench/support/monitoring_anchor.py --reference ref.csv --features features.json \
        --log predictions.db --model-name heart-disease --mode memory|log

--mode log times the whole pass from the prediction log: pandas.read_sql of the window from the
SQLite file, the inputs' JSON parsed into a DataFrame, then the statistics. --mode memory loads the
window first (untimed) and times the statistics alone.

Per feature, Evidently's default choice (reference of at most 1,000 rows: two-sample
Kolmogorov-Smirnov for numeric features with more than 5 distinct values, else chi-squared against
the reference's proportions, or the two-proportion z-test when only two values occur; above 1,000
rows: normed Wasserstein distance and Jensen-Shannon distance), plus PSI for
every feature on Evidently's binning (Sturges edges over both samples for a numeric feature with more
than 20 distinct reference values, else one bin per value; empty bins filled as Evidently does).
Data set drift when at least half the features drift.

Prints one JSON line: seconds, peak RSS (MiB, ru_maxrss), rows, and per feature the method, the
statistic and the drift flag, so the two implementations can be compared value by value.
"""
import argparse
import json
import resource
import sqlite3
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def fill_zeroes(percents):
    nonzero = percents[percents != 0]
    if nonzero.size == 0:
        return percents
    smallest = nonzero.min()
    np.place(percents, percents == 0, smallest / 10**6 if smallest <= 0.0001 else 0.0001)
    return percents


def binned(reference, current, numeric):
    if numeric and reference.nunique() > 20:
        edges = np.histogram_bin_edges(np.concatenate([reference.values, current.values]), bins="sturges")
        ref = np.histogram(reference.values, edges)[0] / len(reference)
        cur = np.histogram(current.values, edges)[0] / len(current)
    else:
        keys = list(set(reference.dropna().unique()) | set(current.dropna().unique()))
        ref_counts = reference.value_counts()
        cur_counts = current.value_counts()
        ref = np.array([ref_counts.get(k, 0) / len(reference) for k in keys], dtype=float)
        cur = np.array([cur_counts.get(k, 0) / len(current) for k in keys], dtype=float)
    return fill_zeroes(ref), fill_zeroes(cur)


def psi(reference, current, numeric):
    ref, cur = binned(reference, current, numeric)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


def chi_squared(reference, current):
    keys = list(set(reference.dropna().unique()) | set(current.dropna().unique()))
    ref_counts = reference.value_counts()
    cur_counts = current.value_counts()
    scale = len(current) / len(reference)
    expected = [ref_counts.get(k, 0) * scale for k in keys]
    observed = [cur_counts.get(k, 0) for k in keys]
    return float(stats.chisquare(observed, expected)[1])


def z_test(reference, current):
    ref_keys = set(reference.unique())
    cur_keys = set(current.unique())
    if len(ref_keys) == 1 and ref_keys == cur_keys:
        return 1.0
    first = sorted(ref_keys | cur_keys, key=lambda k: (not isinstance(k, (int, float)), k))[0]
    n1, n2 = len(reference), len(current)
    p1 = float((reference != first).sum()) / n1
    p2 = float((current != first).sum()) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return float(2 * (1 - stats.norm.cdf(abs(z))))


def default_method(reference, current, numeric):
    """Evidently's default test: by the reference's size and the column's distinct values."""
    n_values = pd.concat([reference, current]).nunique()
    small = len(reference) <= 1000
    if numeric and n_values > 5:
        return "ks" if small else "wasserstein"
    if not small:
        return "jensenshannon"
    return "chisquare" if n_values > 2 else "z"


def feature_drift(reference, current, numeric):
    reference = reference.dropna()
    current = current.dropna()
    method = default_method(reference, current, numeric)
    if method == "ks":
        score = float(stats.ks_2samp(reference.values, current.values)[1])
    elif method == "wasserstein":
        norm = max(np.std(reference.values), 0.001)
        score = float(stats.wasserstein_distance(reference.values, current.values) / norm)
    elif method == "chisquare":
        score = chi_squared(reference, current)
    elif method == "z":
        score = z_test(reference, current)
    else:
        ref, cur = binned(reference, current, numeric)
        score = float(distance.jensenshannon(ref, cur))
    drift = score < 0.05 if method in ("ks", "chisquare", "z") else score >= 0.1
    return {"method": method, "score": score, "drift": bool(drift), "psi": psi(reference, current, numeric)}


def read_window(log, model_name, features):
    with sqlite3.connect(log) as conn:
        frame = pd.read_sql(
            "SELECT inputs FROM serving_predictions WHERE model_name = ? ORDER BY ts, request_id",
            conn,
            params=[model_name],
        )
    current = pd.DataFrame.from_records([json.loads(s) for s in frame["inputs"]])
    for name, kind in features.items():
        if kind == "num":
            current[name] = pd.to_numeric(current[name], errors="coerce")
        else:
            current[name] = current[name].astype("string")
    return current


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--features", required=True, help="JSON file: {feature: 'num' | 'cat'}")
    parser.add_argument("--log", required=True)
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--mode", choices=["memory", "log"], default="memory")
    args = parser.parse_args()

    with open(args.features) as fh:
        features = json.load(fh)
    reference = pd.read_csv(args.reference, dtype={k: "string" for k, v in features.items() if v == "cat"})

    current = read_window(args.log, args.model_name, features) if args.mode == "memory" else None
    start = time.perf_counter()
    if current is None:
        current = read_window(args.log, args.model_name, features)
    results = {
        name: feature_drift(reference[name], current[name], kind == "num") for name, kind in features.items()
    }
    drifted = sum(1 for r in results.values() if r["drift"])
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mib": peak_mib,
                "rows": int(len(current)),
                "dataset_drift": drifted >= len(features) / 2,
                "features": results,
            }
        )
    )


if __name__ == "__main__":
    main()
