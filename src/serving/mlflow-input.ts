// MLflow's scoring protocol (mlflow/pyfunc/scoring_server, 2.x) for a column-based signature: a JSON
// object with exactly one of dataframe_split, dataframe_records, instances, inputs (plus optional
// params), or text/csv; each turned into records. Errors are MLflow's BAD_REQUEST with its wording.
import { CairnError } from '../core/errors.js';
import { parseCsv } from '../learn/data/csv.js';
import { frameToRecords } from '../learn/data/records.js';

export const SUPPORTED_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

const REQUIRED_INPUT_FORMAT = `The input must be a JSON dictionary with exactly one of the input fields {${SUPPORTED_FORMATS.map((f) => `'${f}'`).join(', ')}}`;

export class BadRequest extends CairnError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

const invalidInput = (message: string) => new BadRequest(`Invalid input. ${message}`);

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** pandas' split orient: {columns, data[, index]} → one record per row of `data`. */
function fromSplit(split: Json): Record<string, Json>[] {
  if (!isObject(split)) throw invalidInput('dataframe_split must be an object with "columns" and "data"');
  const { columns, data } = split;
  if (!Array.isArray(data)) throw invalidInput('dataframe_split.data must be a list of rows');
  if (columns !== undefined && (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')))
    throw invalidInput('dataframe_split.columns must be a list of column names');
  const names = (columns as string[] | undefined) ?? [];
  return data.map((row, i) => {
    if (!Array.isArray(row)) throw invalidInput(`dataframe_split.data[${i}] must be a list of values`);
    if (row.length !== names.length)
      throw invalidInput(
        `dataframe_split.data[${i}] has ${row.length} values for ${names.length} columns (${names.length} columns passed, passed data had ${row.length} columns)`,
      );
    const rec: Record<string, Json> = {};
    for (let j = 0; j < names.length; j++) rec[names[j]] = row[j];
    return rec;
  });
}

function fromRecords(records: Json, key: string): Record<string, Json>[] {
  if (!Array.isArray(records)) throw invalidInput(`${key} must be a list of records`);
  return records.map((r, i) => {
    if (!isObject(r)) throw invalidInput(`${key}[${i}] must be an object mapping column names to values`);
    return r;
  });
}

/** {col: [v…]} (or {col: v}) → records; every list the same length, as MLflow checks. */
function fromColumns(columns: Record<string, Json>, key: string): Record<string, Json>[] {
  const names = Object.keys(columns);
  let n: number | undefined;
  for (const name of names) {
    const v = columns[name];
    const len = Array.isArray(v) ? v.length : 1;
    if (n === undefined) n = len;
    else if (n !== len)
      throw invalidInput(`${key}: the columns have different lengths ('${names[0]}' has ${n}, '${name}' has ${len})`);
  }
  const out: Record<string, Json>[] = [];
  for (let i = 0; i < (n ?? 0); i++) {
    const rec: Record<string, Json> = {};
    for (const name of names) {
      const v = columns[name];
      rec[name] = Array.isArray(v) ? v[i] : v;
    }
    out.push(rec);
  }
  return out;
}

/** `instances` / `inputs`: a list of records or a dict of columns (a list of plain rows has no column names). */
function fromTfServing(value: Json, key: string): Record<string, Json>[] {
  if (isObject(value)) return fromColumns(value, key);
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    if (value.every(isObject)) return value as Record<string, Json>[];
    throw invalidInput(
      `${key} holds unnamed values, but this model has a column-based signature: send a list of records ` +
        `({"${key}": [{"age": 63, …}]}) or a dict of columns ({"${key}": {"age": [63], …}})`,
    );
  }
  throw invalidInput(`${key} must be a list of records or a dict of column lists`);
}

/** The records of a JSON scoring request, by MLflow's rules. */
export function recordsFromJson(body: Json): Record<string, Json>[] {
  if (Array.isArray(body)) throw invalidInput(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
  if (!isObject(body))
    throw invalidInput(
      `${REQUIRED_INPUT_FORMAT}. Received unexpected input type '${body === null ? 'null' : typeof body}'.`,
    );
  const keys = Object.keys(body);
  const formats = keys.filter((k) => (SUPPORTED_FORMATS as readonly string[]).includes(k));
  if (formats.length !== 1)
    throw new BadRequest(
      `${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: [${keys.map((k) => `'${k}'`).join(', ')}].`,
    );
  const format = formats[0];
  switch (format) {
    case 'dataframe_split':
      return fromSplit(body[format]);
    case 'dataframe_records':
      return fromRecords(body[format], format);
    default:
      return fromTfServing(body[format], format);
  }
}

/** A CSV body (header first, as pandas' to_csv) → records; missing cells are null. */
export function recordsFromCsv(text: string): Record<string, Json>[] {
  try {
    const { frame } = parseCsv(text);
    return frameToRecords(frame);
  } catch (err) {
    throw new BadRequest(
      'Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas ' +
        `DataFrame produced using the \`pandas.DataFrame.to_csv()\` method. Error: '${(err as Error).message}'`,
    );
  }
}
