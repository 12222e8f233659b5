// What every part of the SQL tracking store shares: the database and the artifact root.
import type { SqlDatabase } from './sql-database.js';

export interface StoreContext {
  db: SqlDatabase;
  /** Root under which experiments get `<root>/<experiment id>` as their artifact location. */
  defaultArtifactRoot: string;
}

/** Joins an artifact root and a relative path without doubling slashes. */
export function joinArtifactPath(root: string, ...parts: string[]): string {
  return [root.replace(/\/+$/, ''), ...parts].join('/');
}
