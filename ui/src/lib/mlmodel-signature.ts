// Reads the signature out of a model package's MLmodel file (YAML whose `signature.inputs` and
// `signature.outputs` are MLflow's JSON strings of column specs), as data only.
import { parse } from 'yaml';

export interface SignatureColumn {
  name?: string;
  type: string;
  required: boolean;
}

export interface MlmodelSummary {
  flavors: string[];
  created?: string;
  inputs: SignatureColumn[] | null;
  outputs: SignatureColumn[] | null;
}

function columns(text: unknown): SignatureColumn[] | null {
  if (typeof text !== 'string' || text === '') return null;
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) return null;
  return list.map((raw) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    return {
      name: typeof c.name === 'string' ? c.name : undefined,
      type: typeof c.type === 'string' ? c.type : JSON.stringify(c.type ?? 'unknown'),
      required: c.required !== false,
    };
  });
}

export function readMlmodel(yamlText: string): MlmodelSummary {
  const doc = (parse(yamlText) ?? {}) as Record<string, unknown>;
  const signature = (doc.signature ?? {}) as Record<string, unknown>;
  const flavors = doc.flavors && typeof doc.flavors === 'object' ? Object.keys(doc.flavors as object) : [];
  return {
    flavors,
    created: typeof doc.utc_time_created === 'string' ? doc.utc_time_created : undefined,
    inputs: columns(signature.inputs),
    outputs: columns(signature.outputs),
  };
}
