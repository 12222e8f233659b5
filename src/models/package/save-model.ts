// saveModel: writes a fitted pipeline as a model package directory — MLmodel, pipeline.json,
// input_example.json, reference_profile.json, reference_sample.json and MANIFEST.json (see docs/model-format.md).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameter } from '../../core/errors.js';
import type { Column, Frame } from '../../learn/core/frame.js';
import { cell, getColumn } from '../../learn/core/frame.js';
import { checkFitted } from '../../learn/core/restore-check.js';
import type { DataRecord } from '../../learn/data/records.js';
import type { Pipeline } from '../../learn/pipeline.js';
import { buildManifest, type Manifest } from './manifest.js';
import {
  INPUT_EXAMPLE_FILE,
  MANIFEST_FILE,
  MLFLOW_VERSION,
  MLMODEL_FILE,
  MODEL_FORMAT_VERSION,
  PIPELINE_FILE,
  REFERENCE_PROFILE_FILE,
  REFERENCE_SAMPLE_FILE,
  mlflowUtcTime,
  mlmodelToYaml,
  type MlModel,
} from './mlmodel.js';
import { CAIRN_PACKAGE_VERSION } from './package-version.js';
import { buildReferenceProfile } from './reference-profile.js';
import { buildReferenceSample, DEFAULT_REFERENCE_SAMPLE_ROWS } from './reference-sample.js';
import { inferSignature, signatureFromSchema, signatureToMlmodel, type ModelSignature } from './signature.js';

/** Rows of the training frame kept as the input example when none is given. */
export const DEFAULT_EXAMPLE_ROWS = 5;

export interface SaveModelOptions {
  /** Where the package sits in its run's artifacts (MLmodel `artifact_path`); default 'model'. */
  artifactPath?: string;
  runId?: string | null;
  /** Inferred from `trainingFrame` when absent (else from the pipeline's input columns, all optional). */
  signature?: ModelSignature;
  /** Records or a Frame; default: the first rows of `trainingFrame`. */
  inputExample?: readonly DataRecord[] | Frame;
  metadata?: Record<string, unknown>;
  /** The data the pipeline was fitted on: signature, input example and reference profile come from it. */
  trainingFrame?: Frame;
  /** Its labels, for the reference profile's target distribution. */
  trainingTarget?: ArrayLike<number>;
  /** Training rows kept as the reference sample (default 5,000; 0 writes none). */
  referenceSampleRows?: number;
  /** Seed of the reference sample's uniform draw (default 0). */
  referenceSampleSeed?: number;
}

export interface SavedModel {
  dir: string;
  mlmodel: MlModel;
  manifest: Manifest;
}

export function isFrame(x: unknown): x is Frame {
  return (
    typeof x === 'object' && x !== null && Array.isArray((x as Frame).columns) && typeof (x as Frame).nRows === 'number'
  );
}

/** MLflow's pandas split orient: `{"columns": [...], "data": [[...], ...]}`; missing values are null. */
export function splitOrient(
  input: readonly DataRecord[] | Frame,
  columns: readonly string[],
): { columns: string[]; data: unknown[][] } {
  if (isFrame(input)) {
    const cols = columns.map((n) => input.columns.find((c) => c.name === n));
    const data = Array.from({ length: input.nRows }, (_, i) =>
      cols.map((c) => {
        if (!c) return null;
        const v = cell(c, i);
        return typeof v === 'number' && !Number.isFinite(v) ? null : v;
      }),
    );
    return { columns: [...columns], data };
  }
  return {
    columns: [...columns],
    data: input.map((rec) =>
      columns.map((n) => {
        const v = rec[n];
        return v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
      }),
    ),
  };
}

function selectColumns(f: Frame, names: readonly string[]): Frame {
  const columns: Column[] = names.map((n) => {
    try {
      return getColumn(f, n);
    } catch {
      throw new InvalidParameter(`trainingFrame has no column '${n}', which the pipeline reads`);
    }
  });
  return { nRows: f.nRows, columns };
}

function headRows(f: Frame, n: number): Frame {
  const k = Math.min(n, f.nRows);
  return {
    nRows: k,
    columns: f.columns.map(
      (c): Column =>
        c.kind === 'numeric' ? { ...c, values: c.values.slice(0, k) } : { ...c, codes: c.codes.slice(0, k) },
    ),
  };
}

function positiveClassIndex(classes: Float64Array): number {
  const one = classes.indexOf(1);
  return one >= 0 ? one : classes.length - 1;
}

/** The package's files as bytes (MANIFEST.json excluded), built in memory. */
export function buildPackageFiles(
  pipeline: Pipeline,
  options: SaveModelOptions = {},
): { files: Record<string, Buffer>; mlmodel: MlModel } {
  const json = pipeline.toJSON();
  if (!(json.state as { fitted?: boolean } | null)?.fitted)
    throw new InvalidParameter('saveModel: the pipeline is not fitted; call fit() first');
  try {
    // a step replaced after fit (setParams) leaves the pipeline marked fitted with an unfitted part
    checkFitted(json);
  } catch (err) {
    throw new InvalidParameter(`saveModel: ${(err as Error).message}; call fit() on the whole pipeline again`);
  }
  const steps = json.params.steps as [string, { type: string }][];
  const estimator = steps[steps.length - 1][1].type;
  const schema = pipeline.inputSchema();
  const names = schema.columns.map((c) => c.name);
  const training = options.trainingFrame ? selectColumns(options.trainingFrame, names) : undefined;
  const signature = options.signature ?? (training ? inferSignature(training) : signatureFromSchema(schema));
  const inputNames = signature.inputs.map((c) => c.name!);
  for (const n of names) {
    if (!inputNames.includes(n))
      throw new InvalidParameter(`signature: the inputs lack column '${n}', which the pipeline reads`);
  }

  const sampleRows = options.referenceSampleRows ?? DEFAULT_REFERENCE_SAMPLE_ROWS;
  if (!Number.isInteger(sampleRows) || sampleRows < 0)
    throw new InvalidParameter(`referenceSampleRows must be a non-negative integer, got ${sampleRows}`);
  const files: Record<string, Buffer> = {};
  files[PIPELINE_FILE] = Buffer.from(JSON.stringify(json), 'utf8');
  const example = options.inputExample ?? (training ? headRows(training, DEFAULT_EXAMPLE_ROWS) : undefined);
  if (example) files[INPUT_EXAMPLE_FILE] = Buffer.from(JSON.stringify(splitOrient(example, inputNames)), 'utf8');
  if (training) {
    const classes = pipeline.classes_;
    let prediction;
    if (classes && classes.length >= 2) {
      const proba = pipeline.predictProba(training);
      const k = positiveClassIndex(classes);
      prediction = {
        positiveClass: classes[k],
        probabilities: Float64Array.from({ length: proba.nRows }, (_, i) => proba.data[i * proba.nCols + k]),
      };
    }
    const profile = buildReferenceProfile({ frame: training, target: options.trainingTarget, prediction });
    files[REFERENCE_PROFILE_FILE] = Buffer.from(JSON.stringify(profile), 'utf8');
    if (sampleRows > 0) {
      const sample = buildReferenceSample({
        frame: training,
        target: options.trainingTarget,
        prediction,
        maxRows: sampleRows,
        seed: options.referenceSampleSeed,
      });
      files[REFERENCE_SAMPLE_FILE] = Buffer.from(JSON.stringify(sample), 'utf8');
    }
  }

  const mlmodel: MlModel = {
    artifact_path: options.artifactPath ?? 'model',
    flavors: {
      cairn: {
        format_version: MODEL_FORMAT_VERSION,
        estimator,
        pipeline: PIPELINE_FILE,
        cairn_version: CAIRN_PACKAGE_VERSION,
        ...(training ? { reference_profile: REFERENCE_PROFILE_FILE } : {}),
        ...(files[REFERENCE_SAMPLE_FILE] ? { reference_sample: REFERENCE_SAMPLE_FILE } : {}),
      },
    },
    mlflow_version: MLFLOW_VERSION,
    model_uuid: randomUUID().replace(/-/g, ''),
    run_id: options.runId ?? null,
    utc_time_created: mlflowUtcTime(new Date()),
    signature: signatureToMlmodel(signature),
    ...(example
      ? {
          saved_input_example_info: {
            artifact_path: INPUT_EXAMPLE_FILE,
            type: 'dataframe' as const,
            pandas_orient: 'split' as const,
          },
        }
      : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  files[MLMODEL_FILE] = Buffer.from(mlmodelToYaml(mlmodel), 'utf8');
  return { files, mlmodel };
}

/** Writes the package into `dir` (created; refused when it exists and is not empty). */
export async function saveModel(dir: string, pipeline: Pipeline, options: SaveModelOptions = {}): Promise<SavedModel> {
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (existing.length > 0) throw new InvalidParameter(`saveModel: '${dir}' already exists and is not empty`);
  const { files, mlmodel } = buildPackageFiles(pipeline, options);
  const manifest = buildManifest(files);
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return { dir, mlmodel, manifest };
}
