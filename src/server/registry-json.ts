// Converts registry entities to MLflow's model_registry.proto JSON (snake_case, versions as strings,
// unset fields and empty lists omitted), and declares the response schemas beside them.
import type { ModelVersion, RegisteredModel } from '../registry/entities.js';

type Json = Record<string, unknown>;

function putList(target: Json, key: string, list: unknown[]): void {
  if (list.length > 0) target[key] = list;
}

function putValue(target: Json, key: string, value: unknown): void {
  if (value !== null && value !== undefined) target[key] = value;
}

export function modelVersionToJson(v: ModelVersion): Json {
  const out: Json = {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
  };
  putValue(out, 'user_id', v.userId);
  out.current_stage = v.currentStage;
  putValue(out, 'description', v.description);
  out.source = v.source;
  putValue(out, 'run_id', v.runId);
  out.status = v.status;
  if (v.statusMessage) out.status_message = v.statusMessage;
  putList(
    out,
    'tags',
    v.tags.map((t) => ({ key: t.key, value: t.value })),
  );
  putValue(out, 'run_link', v.runLink);
  putList(out, 'aliases', v.aliases);
  return out;
}

export function registeredModelToJson(m: RegisteredModel): Json {
  const out: Json = {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
  };
  // MLflow writes a model's description only when non-empty (a version's whenever it is set)
  if (m.description) out.description = m.description;
  putList(out, 'latest_versions', m.latestVersions.map(modelVersionToJson));
  putList(
    out,
    'tags',
    m.tags.map((t) => ({ key: t.key, value: t.value })),
  );
  putList(
    out,
    'aliases',
    m.aliases.map((a) => ({ alias: a.alias, version: a.version })),
  );
  return out;
}

const str = { type: 'string' } as const;
const int64 = { type: 'integer' } as const;
const keyValues = { type: 'array', items: { type: 'object', properties: { key: str, value: str } } } as const;

export const modelVersionSchema = {
  type: 'object',
  properties: {
    name: str,
    version: str,
    creation_timestamp: int64,
    last_updated_timestamp: int64,
    user_id: str,
    current_stage: str,
    description: str,
    source: str,
    run_id: str,
    status: str,
    status_message: str,
    tags: keyValues,
    run_link: str,
    aliases: { type: 'array', items: str },
  },
} as const;

export const registeredModelSchema = {
  type: 'object',
  properties: {
    name: str,
    creation_timestamp: int64,
    last_updated_timestamp: int64,
    user_id: str,
    description: str,
    latest_versions: { type: 'array', items: modelVersionSchema },
    tags: keyValues,
    aliases: { type: 'array', items: { type: 'object', properties: { alias: str, version: str } } },
  },
} as const;

const object = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;

/** Registry response bodies by endpoint (200 only). */
export const RR = {
  empty: object({}),
  registeredModel: object({ registered_model: registeredModelSchema }),
  registeredModels: object({
    registered_models: { type: 'array', items: registeredModelSchema },
    next_page_token: str,
  }),
  modelVersion: object({ model_version: modelVersionSchema }),
  modelVersions: object({ model_versions: { type: 'array', items: modelVersionSchema }, next_page_token: str }),
  downloadUri: object({ artifact_uri: str }),
};
