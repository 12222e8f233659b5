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
Kolmogorov-Smirnov for numeric features, chi-squared against the reference's proportions for
categorical ones; above it: normed Wasserstein distance and Jensen-Shannon distance), plus PSI for
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


def feature_drift(reference, current, numeric):
    reference = reference.dropna()
    current = current.dropna()
    small = len(reference) <= 1000
    if numeric and small:
        method, threshold = "ks", 0.05
        score = float(stats.ks_2samp(reference.values, current.values)[1])
        drift = score < threshold
    elif numeric:
        method, threshold = "wasserstein", 0.1
        norm = max(np.std(reference.values), 0.001)
        score = float(stats.wasserstein_distance(reference.values, current.values) / norm)
        drift = score >= threshold
    elif small:
        method, threshold = "chisquare", 0.05
        score = chi_squared(reference, current)
        drift = score < threshold
    else:
        method, threshold = "jensenshannon", 0.1
        ref, cur = binned(reference, current, False)
        score = float(distance.jensenshannon(ref, cur))
        drift = score >= threshold
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
