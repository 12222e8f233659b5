// Reads a model package's MLmodel (already parsed from YAML) into what the run page shows: the
// summary fields, the signature's input and output columns, and where the input example is.
// Lenient: a field that is missing or malformed is left out or reported, never thrown.

export interface SignatureColumn {
  name: string;
  type: string;
  required: boolean;
}

export interface MlmodelView {
  summary: Array<[string, string]>;
  flavors: string[];
  runId?: string;
  inputs?: SignatureColumn[];
  outputs?: SignatureColumn[];
  /** Why the signature could not be read, when it could not. */
  signatureProblem?: string;
  /** The input example's path relative to the package directory. */
  inputExample?: string;
}

function columns(raw: unknown, field: string): SignatureColumn[] {
  if (typeof raw !== 'string') throw new Error(`signature.${field} is not a JSON string`);
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error(`signature.${field} is not a JSON array`);
  return parsed.map((c: Record<string, unknown>, i) => ({
    name: typeof c?.name === 'string' ? c.name : `(unnamed ${i})`,
    type: typeof c?.type === 'string' ? c.type : JSON.stringify(c?.type ?? c),
    required: c?.required !== false,
  }));
}

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);

export function readMlmodel(doc: unknown): MlmodelView {
  const m = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  const flavors = m.flavors && typeof m.flavors === 'object' ? (m.flavors as Record<string, unknown>) : {};
  const cairn = (flavors.cairn ?? {}) as Record<string, unknown>;
  const summary: Array<[string, string]> = [];
  for (const [label, value] of [
    ['Artifact path', m.artifact_path],
    ['Flavors', Object.keys(flavors).join(', ')],
    ['Estimator', cairn.estimator],
    ['Model UUID', m.model_uuid],
    ['Created (UTC)', m.utc_time_created],
    ['MLflow version', m.mlflow_version],
    ['Cairn version', cairn.cairn_version],
  ] as Array<[string, unknown]>) {
    if (value !== undefined && value !== null && value !== '') summary.push([label, text(value)]);
  }
  const out: MlmodelView = { summary, flavors: Object.keys(flavors) };
  if (typeof m.run_id === 'string' && m.run_id) out.runId = m.run_id;
  const sig = m.signature as Record<string, unknown> | undefined;
  if (sig && typeof sig === 'object') {
    try {
      out.inputs = columns(sig.inputs, 'inputs');
      out.outputs = sig.outputs === undefined || sig.outputs === null ? [] : columns(sig.outputs, 'outputs');
    } catch (err) {
      out.signatureProblem = (err as Error).message;
    }
  }
  const example = m.saved_input_example_info as Record<string, unknown> | undefined;
  if (example && typeof example.artifact_path === 'string') out.inputExample = example.artifact_path;
  return out;
}

/** An input example as a table: pandas' split orient ({columns, data}) or a list of records. */
export function exampleTable(doc: unknown): { columns: string[]; rows: unknown[][] } | null {
  if (Array.isArray(doc) && doc.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
    const columns = [...new Set(doc.flatMap((r) => Object.keys(r as object)))];
    return { columns, rows: doc.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])) };
  }
  const d = doc as { columns?: unknown; data?: unknown; dataframe_split?: unknown } | null;
  if (d && typeof d === 'object' && d.dataframe_split) return exampleTable(d.dataframe_split);
  if (d && Array.isArray(d.columns) && Array.isArray(d.data)) {
    return { columns: d.columns.map(String), rows: d.data.filter(Array.isArray) as unknown[][] };
  }
  return null;
}
