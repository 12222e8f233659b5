// Autocomplete for the MLflow filter box: the identifier being typed at the caret, and the
// `metrics.<key>` / `params.<key>` / `tags.<key>` / `attributes.<name>` names that complete it.
import { type SeenKeys, quoteKey } from './columns.js';

const FILTER_ATTRIBUTES = ['run_name', 'run_id', 'status', 'user_id', 'start_time', 'end_time', 'artifact_uri'];

export interface Completion {
  /** Where the word being completed starts in the text. */
  from: number;
  to: number;
  options: string[];
}

export function completeFilter(text: string, caret: number, seen: SeenKeys, limit = 12): Completion | null {
  const before = text.slice(0, caret);
  // inside a quoted value nothing is completed
  if ((before.match(/'/g) ?? []).length % 2 === 1 || (before.match(/"/g) ?? []).length % 2 === 1) return null;
  const m = /[A-Za-z_.`][\w.`-]*$/.exec(before);
  const word = m ? m[0] : '';
  if (word === '') return null;
  const from = caret - word.length;
  const lower = word.toLowerCase().replace(/`/g, '');
  const names: string[] = [
    ...[...seen.metrics].map((k) => `metrics.${quoteKey(k)}`),
    ...[...seen.params].map((k) => `params.${quoteKey(k)}`),
    ...[...seen.tags].map((k) => `tags.${quoteKey(k)}`),
    ...FILTER_ATTRIBUTES.map((k) => `attributes.${k}`),
  ];
  const starts = names.filter((n) => n.toLowerCase().replace(/`/g, '').startsWith(lower));
  const contains = names.filter((n) => !starts.includes(n) && n.toLowerCase().includes(lower));
  const options = [...starts, ...contains].filter((n) => n !== word).slice(0, limit);
  return options.length > 0 ? { from, to: caret, options } : null;
}
