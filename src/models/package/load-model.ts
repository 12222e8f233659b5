// loadModelFromDir: verifies a model package against its MANIFEST.json, parses its JSON/YAML (never
// code), restores the pipeline and wraps it as a LoadedModel that enforces the signature.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameter } from '../../core/errors.js';
import type { SerializedComponent } from '../../learn/core/estimator.js';
import type { Frame } from '../../learn/core/frame.js';
import type { Matrix } from '../../learn/core/matrix.js';
import { checkFitted } from '../../learn/core/restore-check.js';
import { restoreComponent } from '../../learn/core/serialization.js';
import { recordsToFrame, type DataRecord, type FrameSchema } from '../../learn/data/records.js';
import { Pipeline } from '../../learn/pipeline.js';
import './register-components.js';
import { parseManifest, verifyPackageFiles, type Manifest } from './manifest.js';
import { MANIFEST_FILE, MLMODEL_FILE, mlmodelFromYaml, type MlModel } from './mlmodel.js';
import type { ReferenceProfile } from './reference-profile.js';
import { readReferenceSample, type ReferenceSample } from './reference-sample.js';
import { isFrame } from './save-model.js';
import {
  enforceFrame,
  enforceRecords,
  inputSchemaOf,
  isNumericType,
  signatureFromMlmodel,
  signatureFromSchema,
  type ModelSignature,
} from './signature.js';

export type ModelInput = readonly DataRecord[] | Frame;

export class LoadedModel {
  readonly inputSchema: FrameSchema;

  constructor(
    readonly dir: string,
    readonly mlmodel: MlModel,
    readonly manifest: Manifest,
    readonly pipeline: Pipeline,
    readonly signature: ModelSignature,
    readonly referenceProfile: ReferenceProfile | undefined,
    readonly inputExample: { columns: string[]; data: unknown[][] } | undefined,
    /** The bounded training sample; undefined in packages saved without one (older ones included). */
    readonly referenceSample?: ReferenceSample,
  ) {
    this.inputSchema = inputSchemaOf(signature.inputs);
  }

  get metadata(): Record<string, unknown> {
    return this.mlmodel.metadata ?? {};
  }
  get modelUuid(): string {
    return this.mlmodel.model_uuid;
  }
  get runId(): string | null {
    return this.mlmodel.run_id ?? null;
  }
  get classes(): Float64Array | undefined {
    return this.pipeline.classes_;
  }

  /** The input as a Frame in signature order, after the signature's checks (InvalidParameter naming the column). */
  toFrame(input: ModelInput): Frame {
    if (isFrame(input)) return enforceFrame(input, this.signature.inputs);
    enforceRecords(input, this.signature.inputs);
    try {
      return recordsToFrame(input, this.inputSchema);
    } catch (err) {
      throw new InvalidParameter(`Model input: ${(err as Error).message}`);
    }
  }

  predict(input: ModelInput): Float64Array {
    return this.pipeline.predict(this.toFrame(input));
  }

  /** nRows × nClasses, columns in the order of `classes`. */
  predictProba(input: ModelInput): Matrix {
    return this.pipeline.predictProba(this.toFrame(input));
  }
}

function fileOf(name: unknown, what: string): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name.includes('\\') ||
    name.startsWith('/') ||
    name.split('/').some((p) => p === '..' || p === '.')
  ) {
    throw new InvalidParameter(
      `${MLMODEL_FILE}: ${what} ${JSON.stringify(name)} is not a relative path inside the package`,
    );
  }
  return name;
}

function parseJsonFile(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidParameter(`Model package file '${name}' is not valid JSON: ${(err as Error).message}`);
  }
}

function restorePipeline(json: unknown, name: string): Pipeline {
  const c = json as SerializedComponent;
  if (!c || typeof c !== 'object' || c.type !== 'Pipeline')
    throw new InvalidParameter(`'${name}' does not hold a serialized Pipeline (type ${JSON.stringify(c?.type)})`);
  let restored: unknown;
  try {
    // refused here, not at the first predict: an unfitted step restores without complaint
    checkFitted(c);
    restored = restoreComponent(c);
  } catch (err) {
    throw new InvalidParameter(`'${name}' cannot be restored: ${(err as Error).message}`);
  }
  if (!(restored instanceof Pipeline)) throw new InvalidParameter(`'${name}' did not restore to a Pipeline`);
  return restored;
}

function checkSignatureCoversPipeline(signature: ModelSignature, pipeline: Pipeline): void {
  const specs = new Map(signature.inputs.map((s) => [s.name!, s]));
  for (const col of pipeline.inputSchema().columns) {
    const spec = specs.get(col.name);
    if (!spec)
      throw new InvalidParameter(
        `${MLMODEL_FILE} signature lacks input column '${col.name}', which the pipeline reads`,
      );
    if (isNumericType(spec.type) !== (col.kind === 'numeric')) {
      throw new InvalidParameter(
        `${MLMODEL_FILE} signature says '${col.name}' is ${spec.type}, but the pipeline reads it as ${col.kind}`,
      );
    }
  }
}

/**
 * Loads a package directory. Refused with InvalidParameter naming the file: no or malformed
 * MANIFEST.json, an unknown format version, a listed file missing or with another SHA-256, a
 * required file (MLmodel, the pipeline, a referenced example or profile) not listed.
 */
export async function loadModelFromDir(dir: string): Promise<LoadedModel> {
  let manifestText: string;
  try {
    manifestText = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const state = code === 'ENOENT' ? 'missing' : `unreadable (${code})`;
    throw new InvalidParameter(`'${dir}' is not a Cairn model package: ${MANIFEST_FILE} is ${state}`);
  }
  const manifest = parseManifest(manifestText);
  const verified = await verifyPackageFiles(dir, manifest, [MLMODEL_FILE]);
  const mlmodel = mlmodelFromYaml(verified.get(MLMODEL_FILE)!.toString('utf8'));
  const flavor = mlmodel.flavors.cairn;
  const need = (name: string): Buffer => {
    const bytes = verified.get(name);
    if (!bytes) throw new InvalidParameter(`Model package ${dir}: '${name}' is not listed in ${MANIFEST_FILE}`);
    return bytes;
  };
  const pipelineFile = fileOf(flavor.pipeline, 'flavors.cairn.pipeline');
  const pipeline = restorePipeline(parseJsonFile(need(pipelineFile), pipelineFile), pipelineFile);
  const signature = signatureFromMlmodel(mlmodel.signature) ?? signatureFromSchema(pipeline.inputSchema());
  checkSignatureCoversPipeline(signature, pipeline);
  let profile: ReferenceProfile | undefined;
  if (flavor.reference_profile !== undefined) {
    const name = fileOf(flavor.reference_profile, 'flavors.cairn.reference_profile');
    profile = parseJsonFile(need(name), name) as ReferenceProfile;
  }
  let sample: ReferenceSample | undefined;
  if (flavor.reference_sample !== undefined) {
    const name = fileOf(flavor.reference_sample, 'flavors.cairn.reference_sample');
    sample = readReferenceSample(parseJsonFile(need(name), name)) ?? undefined;
  }
  let example: { columns: string[]; data: unknown[][] } | undefined;
  if (mlmodel.saved_input_example_info) {
    const name = fileOf(mlmodel.saved_input_example_info.artifact_path, 'saved_input_example_info.artifact_path');
    example = parseJsonFile(need(name), name) as { columns: string[]; data: unknown[][] };
  }
  return new LoadedModel(dir, mlmodel, manifest, pipeline, signature, profile, example, sample);
}
