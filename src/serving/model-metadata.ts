// GET /metadata: what is served — URI, name, version, load time, signature, risk thresholds and a
// summary of the reference profile (per feature: range or categories, missing share).
import type { ReferenceProfile } from '../models/package/reference-profile.js';
import type { Predictor } from './predictor.js';

function profileSummary(profile: ReferenceProfile | undefined): unknown {
  if (!profile) return null;
  return {
    n_rows: profile.n_rows,
    features: profile.features.map((f) =>
      f.type === 'double'
        ? {
            name: f.name,
            type: f.type,
            min: f.min,
            max: f.max,
            mean: f.mean,
            std: f.std,
            missing_share: f.missing_share,
          }
        : { name: f.name, type: f.type, categories: Object.keys(f.frequencies), missing_share: f.missing_share },
    ),
    target: profile.target,
    prediction_mean: profile.prediction?.mean ?? null,
  };
}

export function metadataOf(predictor: Predictor): Record<string, unknown> {
  const { served } = predictor;
  const model = served.model;
  return {
    model_name: served.name,
    model_version: served.version,
    model_uri: served.uri,
    run_id: served.runId,
    model_uuid: model.modelUuid,
    loaded_at: new Date(served.loadedAt).toISOString(),
    estimator: model.mlmodel.flavors.cairn.estimator,
    classes: Array.from(predictor.classes),
    positive_class: predictor.classes[predictor.positiveIndex],
    risk_thresholds: predictor.thresholds,
    signature: { inputs: model.signature.inputs, outputs: model.signature.outputs },
    reference_profile: profileSummary(model.referenceProfile),
  };
}
