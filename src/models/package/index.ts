// Public surface of the model package format.
export { saveModel, buildPackageFiles, splitOrient, DEFAULT_EXAMPLE_ROWS } from './save-model.js';
export type { SaveModelOptions, SavedModel } from './save-model.js';
export { loadModelFromDir, LoadedModel } from './load-model.js';
export type { ModelInput } from './load-model.js';
export {
  MODEL_FORMAT_VERSION,
  SUPPORTED_FORMAT_VERSIONS,
  MLFLOW_VERSION,
  MLMODEL_FILE,
  PIPELINE_FILE,
  INPUT_EXAMPLE_FILE,
  REFERENCE_PROFILE_FILE,
  REFERENCE_SAMPLE_FILE,
  MANIFEST_FILE,
  mlmodelToYaml,
  mlmodelFromYaml,
  mlflowUtcTime,
} from './mlmodel.js';
export type { MlModel, CairnFlavor } from './mlmodel.js';
export { buildManifest, parseManifest, verifyPackageFiles, sha256Hex } from './manifest.js';
export type { Manifest } from './manifest.js';
export {
  inferSignature,
  signatureFromSchema,
  signatureToMlmodel,
  signatureFromMlmodel,
  enforceRecords,
  enforceFrame,
  inputSchemaOf,
  PREDICTION_OUTPUT,
} from './signature.js';
export type { ColSpec, ColumnType, ModelSignature } from './signature.js';
export {
  buildReferenceProfile,
  histogram,
  quantile,
  PROFILE_QUANTILES,
  PROFILE_HISTOGRAM_BINS,
  REFERENCE_PROFILE_FORMAT_VERSION,
} from './reference-profile.js';
export type {
  ReferenceProfile,
  FeatureProfile,
  NumericFeatureProfile,
  CategoricalFeatureProfile,
  Histogram,
} from './reference-profile.js';
export {
  buildReferenceSample,
  readReferenceSample,
  sampleRowIndices,
  DEFAULT_REFERENCE_SAMPLE_ROWS,
  REFERENCE_SAMPLE_FORMAT_VERSION,
} from './reference-sample.js';
export type { ReferenceSample } from './reference-sample.js';
export { pythonJsonDumps } from '../../core/python-json.js';
