// MLflow 2.17's model registry limits and rules (mlflow/utils/validation.py), as named constants
// and checks shared by the store and the server.
import { InvalidParameter } from '../core/errors.js';
import type { Tag } from '../tracking/entities.js';
import { validateLengthLimit, validateTagKey } from '../tracking/validation.js';
import type { ModelVersionStage } from './entities.js';

export const MAX_REGISTERED_MODEL_NAME_LENGTH = 256;
export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 5000;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
export const MAX_MODEL_DESCRIPTION_LENGTH = 5000;
export const MAX_MODEL_VERSION_SOURCE_LENGTH = 2000;
export const MAX_RUN_LINK_LENGTH = 2000;
/** A models:/ source is stored resolved to that version's location (itself up to this long). */
export const MAX_STORAGE_LOCATION_LENGTH = 4000;
export const MAX_MODEL_VERSION_RUN_ID_LENGTH = 256;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;
/** Model versions are stored as 32-bit integers, as MLflow's schema. */
const MAX_VERSION = 2_147_483_647;

export const ALL_STAGES: ModelVersionStage[] = ['None', 'Staging', 'Production', 'Archived'];
/** Stages `archive_existing_versions` may be used with (MLflow's DEFAULT_STAGES_FOR_GET_LATEST_VERSIONS). */
export const ACTIVE_STAGES: ModelVersionStage[] = ['Staging', 'Production'];
/** The stage a deleted version keeps internally so its number is never handed out again. */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';

const ALIAS = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS = /^[vV]\d+$/;

export function validateModelName(name: unknown): asserts name is string {
  if (name === undefined || name === null || name === '')
    throw new InvalidParameter('Registered model name cannot be empty.');
  if (typeof name !== 'string')
    throw new InvalidParameter(`Registered model name must be a string, got ${JSON.stringify(name)}`);
  validateLengthLimit('Registered model name', MAX_REGISTERED_MODEL_NAME_LENGTH, name);
}

/** Parses a version string ("3") as MLflow's int(); anything else is INVALID_PARAMETER_VALUE. */
export function parseModelVersion(version: unknown): number {
  const text = typeof version === 'number' ? String(version) : typeof version === 'string' ? version.trim() : '';
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n))
    throw new InvalidParameter(`Model version must be an integer, got '${String(version)}'`);
  return n;
}

export function isStoredVersion(n: number): boolean {
  return n >= 1 && n <= MAX_VERSION;
}

export function validateAliasName(alias: unknown): asserts alias is string {
  if (alias === undefined || alias === null || alias === '')
    throw new InvalidParameter('Registered model alias name cannot be empty.');
  if (typeof alias !== 'string' || !ALIAS.test(alias)) {
    throw new InvalidParameter(
      `Invalid alias name: '${String(alias)}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  validateLengthLimit('Registered model alias name', MAX_REGISTERED_MODEL_ALIAS_LENGTH, alias);
  if (alias.toLowerCase() === 'latest')
    throw new InvalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) throw new InvalidParameter(`Version alias name '${alias}' is reserved.`);
}

function validateRegistryTag(entity: string, tag: Tag): void {
  validateTagKey(tag.key);
  if (typeof tag.value !== 'string')
    throw new InvalidParameter(`${entity} value must be a string, got ${JSON.stringify(tag.value)}`);
  validateLengthLimit(`${entity} key`, MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, tag.key);
  validateLengthLimit(`${entity} value`, MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, tag.value);
}

export function validateRegisteredModelTag(tag: Tag): void {
  validateRegistryTag('Registered model', tag);
}
export function validateModelVersionTag(tag: Tag): void {
  validateRegistryTag('Model version', tag);
}

export function validateDescription(description: string | null | undefined): void {
  if (description !== undefined && description !== null)
    validateLengthLimit('Description', MAX_MODEL_DESCRIPTION_LENGTH, description);
}

/** MLflow's get_canonical_stage: case-insensitive input, canonical spelling out. */
export function canonicalStage(stage: unknown): ModelVersionStage {
  const found = ALL_STAGES.find((s) => typeof stage === 'string' && s.toLowerCase() === stage.toLowerCase());
  if (!found)
    throw new InvalidParameter(
      `Invalid Model Version stage: ${String(stage)}. Value must be one of ${ALL_STAGES.join(', ')}.`,
    );
  return found;
}
