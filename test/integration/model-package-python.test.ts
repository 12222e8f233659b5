// Another runtime reads a Cairn package: MLflow 2.17's own Python `Model.load` parses the MLmodel
// (signature, input example), hashlib checks MANIFEST.json, and numpy/pandas recompute the
// reference profile's statistics from the CSV.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LogisticRegression } from '../../src/learn/linear/index.js';
import { Pipeline } from '../../src/learn/pipeline.js';
import { anchorPreprocessor, heartDataset } from '../support/learn/anchor-protocol.js';
import { saveModel } from '../../src/models/package/save-model.js';
import { DEBIAN_PYTHON, mlflowPythonEnv } from '../support/cairn-server.js';
import { lacks } from '../support/requirements.js';
import { readSharedData, sharedPath } from '../support/shared.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'cairn-pkg-py-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SCRIPT = String.raw`
import hashlib, json, os, sys
import numpy as np, pandas as pd
from mlflow.models import Model
d = sys.argv[1]
m = Model.load(d)
out = {
  "uuid": m.model_uuid, "run_id": m.run_id, "artifact_path": m.artifact_path, "time": m.utc_time_created,
  "flavors": m.flavors, "example_info": m.saved_input_example_info, "metadata": m.metadata,
  "inputs": [{"name": c.name, "type": c.type.name, "required": c.required} for c in m.signature.inputs.inputs],
  "outputs": [c.type.name for c in m.signature.outputs.inputs],
}
ex = m.load_input_example(d)
out["example_columns"] = list(ex.columns)
out["example_shape"] = list(ex.shape)
man = json.load(open(os.path.join(d, "MANIFEST.json")))
out["manifest_ok"] = all(hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest() == h for f, h in man["files"].items())
prof = json.load(open(os.path.join(d, "reference_profile.json")))
df = pd.read_csv(${JSON.stringify(sharedPath('data', 'heart_disease_uci.csv'))})
text = pd.read_csv(${JSON.stringify(sharedPath('data', 'heart_disease_uci.csv'))}, dtype=str)  # TRUE/FALSE stay text, as in Cairn
bad = []
for f in prof["features"]:
  col = df[f["name"]]
  if f["type"] == "double":
    v = col.dropna().to_numpy(dtype=float)
    if f["missing"] != int(col.isna().sum()): bad.append((f["name"], "missing"))
    if not np.isclose(f["mean"], v.mean(), rtol=1e-12): bad.append((f["name"], "mean"))
    if not np.isclose(f["std"], v.std(ddof=1), rtol=1e-12): bad.append((f["name"], "std"))
    q = np.quantile(v, f["quantiles"]["probabilities"])
    if not np.allclose(f["quantiles"]["values"], q, rtol=1e-12, atol=0): bad.append((f["name"], "quantiles", list(q)))
    counts, edges = np.histogram(v, bins=10, range=(v.min(), v.max()))
    if list(counts) != f["histogram"]["counts"]: bad.append((f["name"], "histogram", [int(c) for c in counts], f["histogram"]["counts"]))
    if not np.allclose(edges, f["histogram"]["edges"], rtol=1e-15): bad.append((f["name"], "edges"))
  else:
    s = text[f["name"]].dropna().value_counts()
    if {k: int(n) for k, n in s.items()} != f["frequencies"]: bad.append((f["name"], "frequencies"))
    if f["missing"] != int(col.isna().sum()): bad.append((f["name"], "missing"))
out["profile_mismatches"] = bad
print(json.dumps(out, default=str))
`;

describe.skipIf(lacks('mlflow-python', 'shared-data'))('a Cairn package read by MLflow 2.17 (Python) and numpy', () => {
  it('parses MLmodel, signature and input example; checksums and profile statistics agree', async () => {
    const heart = heartDataset(readSharedData('heart_disease_uci.csv'));
    const pipeline = new Pipeline({
      steps: [
        ['prep', anchorPreprocessor(heart.numeric, heart.categorical, true)],
        ['model', new LogisticRegression({})],
      ],
    }).fit(heart.X, heart.y);
    const dir = path.join(tmp, 'model');
    // a whole second: PyYAML would read an unquoted `… 17:28:53.000000` as a datetime and print it without the fraction
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T17:28:53.000Z'));
    const saved = await saveModel(dir, pipeline, {
      runId: 'r123',
      artifactPath: 'model',
      trainingFrame: heart.X,
      trainingTarget: heart.y,
      metadata: { consent: 'yes' },
    }).finally(() => vi.useRealTimers());
    const res = spawnSync(DEBIAN_PYTHON, ['-c', SCRIPT, dir], {
      encoding: 'utf8',
      env: { ...process.env, ...mlflowPythonEnv() },
      timeout: 120_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.uuid).toBe(saved.mlmodel.model_uuid);
    expect(out.run_id).toBe('r123');
    expect(out.artifact_path).toBe('model');
    expect(out.time).toBe('2026-11-25 17:28:53.000000');
    expect(out.time).toBe(saved.mlmodel.utc_time_created);
    expect(out.metadata).toEqual({ consent: 'yes' });
    expect(out.flavors.cairn.estimator).toBe('LogisticRegression');
    expect(out.example_info).toEqual({
      artifact_path: 'input_example.json',
      type: 'dataframe',
      pandas_orient: 'split',
    });
    expect(out.inputs).toHaveLength(13);
    expect(out.inputs[0]).toEqual({ name: 'age', type: 'double', required: true });
    expect(out.inputs.find((c: { name: string }) => c.name === 'thal')).toEqual({
      name: 'thal',
      type: 'string',
      required: false,
    });
    expect(out.outputs).toEqual(['double']);
    expect(out.example_columns).toEqual([...heart.numeric, ...heart.categorical]);
    expect(out.example_shape).toEqual([5, 13]);
    expect(out.manifest_ok).toBe(true);
    expect(out.profile_mismatches).toEqual([]);
  });
});
