// The MLmodel file: MLflow's model metadata (mlflow/models/model.py) with a `cairn` flavor, written
// as YAML with sorted keys (as MLflow's yaml.safe_dump) and read with the YAML core schema only.
import { parseDocument, stringify as toYaml } from 'yaml';
import { InvalidParameter } from '../../core/errors.js';

/** Version of the package layout (the `cairn` flavor's format_version and MANIFEST.json's). */
export const MODEL_FORMAT_VERSION = 1;
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1];
/** The MLflow release whose MLmodel fields Cairn writes (its REST API is MLflow 2.17's). */
export const MLFLOW_VERSION = '2.17.2';

export const MLMODEL_FILE = 'MLmodel';
export const PIPELINE_FILE = 'pipeline.json';
export const INPUT_EXAMPLE_FILE = 'input_example.json';
export const REFERENCE_PROFILE_FILE = 'reference_profile.json';
export const REFERENCE_SAMPLE_FILE = 'reference_sample.json';
export const MANIFEST_FILE = 'MANIFEST.json';

export interface CairnFlavor {
  format_version: number;
  /** Class name of the final estimator (e.g. RandomForestClassifier). */
  estimator: string;
  pipeline: string;
  cairn_version: string;
  /** Present when the package holds a reference profile. */
  reference_profile?: string;
  /** Present when the package holds a reference sample (packages saved before it existed have none). */
  reference_sample?: string;
}

export interface MlModel {
  artifact_path: string;
  flavors: { cairn: CairnFlavor } & Record<string, unknown>;
  mlflow_version: string;
  model_uuid: string;
  run_id: string | null;
  utc_time_created: string;
  signature?: { inputs: string; outputs: string; params: null };
  saved_input_example_info?: { artifact_path: string; type: 'dataframe'; pandas_orient: 'split' };
  metadata?: Record<string, unknown>;
}

/** MLflow's utc_time_created: `YYYY-MM-DD HH:MM:SS.ffffff` (str(datetime.utcnow())). */
export function mlflowUtcTime(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

/**
 * Written with YAML 1.1's schema, as PyYAML reads it: strings such as the creation time or `yes`
 * are quoted, so MLflow's Python loader gets strings back, not datetimes or booleans.
 */
export function mlmodelToYaml(model: MlModel): string {
  return toYaml(model, { sortMapEntries: true, lineWidth: 0, schema: 'yaml-1.1' });
}

/** Parses MLmodel YAML with the core schema (no custom tags, no aliases): data only, never code. */
export function mlmodelFromYaml(text: string): MlModel {
  const doc = parseDocument(text, {
    schema: 'core',
    customTags: [],
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  // an unknown tag (`!!js/function`, `!!python/object`…) is a warning to the parser; here it is refused
  if (problem) throw new InvalidParameter(`${MLMODEL_FILE} is not plain YAML data: ${problem.message}`);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    throw new InvalidParameter(`${MLMODEL_FILE} is not plain YAML data: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidParameter(`${MLMODEL_FILE} must be a YAML mapping`);
  const m = raw as Record<string, unknown>;
  const flavors = m.flavors as Record<string, unknown> | undefined;
  if (!flavors || typeof flavors !== 'object') throw new InvalidParameter(`${MLMODEL_FILE} has no flavors`);
  const cairn = flavors.cairn as Record<string, unknown> | undefined;
  if (!cairn || typeof cairn !== 'object') {
    throw new InvalidParameter(
      `${MLMODEL_FILE} has no 'cairn' flavor (flavors: ${Object.keys(flavors).join(', ') || 'none'}); ` +
        'Cairn loads only its own packages',
    );
  }
  checkFormatVersion(cairn.format_version, `${MLMODEL_FILE} flavors.cairn.format_version`);
  if (typeof cairn.pipeline !== 'string' || cairn.pipeline === '')
    throw new InvalidParameter(`${MLMODEL_FILE} flavors.cairn.pipeline must name the pipeline file`);
  return m as unknown as MlModel;
}

export function checkFormatVersion(version: unknown, where: string): void {
  if (typeof version !== 'number' || !SUPPORTED_FORMAT_VERSIONS.includes(version)) {
    throw new InvalidParameter(
      `${where} is ${JSON.stringify(version)}; ` +
        `this Cairn reads model format version(s) ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`,
    );
  }
}
