// What every part of the SQL tracking store shares: the database and the artifact root.
import type { RunCache } from './run-cache.js';
import type { SqlDatabase } from '../../db/sql-database.js';

export interface StoreContext {
  db: SqlDatabase;
  /** Root under which experiments get `<root>/<experiment id>` as their artifact location. */
  defaultArtifactRoot: string;
  /** Complete runs kept between searches (a server's store); undefined: always read. */
  runCache?: RunCache;
}
