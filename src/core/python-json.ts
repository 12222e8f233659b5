// Python's json.dumps text (", " / ": " separators, ASCII-only escapes): MLflow stores signatures
// and the `mlflow.log-model.history` tag in this form, and its readers compare them as text.

export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${asciiString(k)}: ${pythonJsonDumps(v)}`);
    return `{${parts.join(', ')}}`;
  }
  if (typeof value === 'string') return asciiString(value);
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return JSON.stringify(value);
}

function asciiString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
