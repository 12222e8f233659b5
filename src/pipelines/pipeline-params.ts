// Every estimator and preprocessing parameter of a learn Pipeline as flat MLflow params, named the
// way scikit-learn's get_params(deep=True) names them (`prep__num__impute__strategy`, `model__C`).
import { ResampledClassifier } from '../learn/imbalance/resampled-classifier.js';
import { Pipeline } from '../learn/pipeline.js';
import { ColumnTransformer } from '../learn/preprocessing/column-transformer.js';

/** A param value as MLflow shows Python's (None, True/False as text, lists as JSON). */
function paramText(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

interface ParamsOwner {
  getParams(): Record<string, unknown>;
}

export function flattenParams(component: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (component instanceof Pipeline) {
    for (const [name, c] of component.steps) Object.assign(out, flattenParams(c, `${prefix}${name}__`));
    return out;
  }
  if (component instanceof ColumnTransformer) {
    const p = component.getParams() as { remainder: string; verboseFeatureNamesOut: boolean };
    out[`${prefix}remainder`] = paramText(p.remainder);
    for (const [name, t, cols] of component.params.transformers) {
      out[`${prefix}${name}__columns`] = cols.join(',');
      if (typeof t === 'string') out[`${prefix}${name}`] = t;
      else Object.assign(out, flattenParams(t, `${prefix}${name}__`));
    }
    return out;
  }
  if (component instanceof ResampledClassifier) {
    out[`${prefix}type`] = 'ResampledClassifier';
    Object.assign(out, flattenParams(component.params.estimator, `${prefix}estimator__`));
    const smote = component.getParams().smote as Record<string, unknown>;
    for (const [k, v] of Object.entries(smote)) out[`${prefix}smote__${k}`] = paramText(v);
    return out;
  }
  const owner = component as ParamsOwner;
  out[`${prefix}type`] = (component as { constructor: { name: string } }).constructor.name;
  for (const [k, v] of Object.entries(owner.getParams())) out[`${prefix}${k}`] = paramText(v);
  return out;
}
