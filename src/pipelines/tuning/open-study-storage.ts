// Which database a named study lives in: `--study-uri` when given, else the tracking URI when that
// is a database. A study shared by processes needs direct database access (its claims are
// transactions), so over a tracking server (http://) it needs a database URI of its own.
import { InvalidParameter } from '../../core/errors.js';
import { openSqlStudyStorage, type SqlStudyStorage } from './sql-study-storage.js';

const DATABASE_URI = /^(sqlite|postgres(ql)?(\+[a-z0-9_]+)?):\/\//i;

export function studyDatabaseUri(trackingUri: string, studyUri?: string): string {
  if (studyUri !== undefined && studyUri !== '') {
    if (!DATABASE_URI.test(studyUri))
      throw new InvalidParameter(
        `--study-uri must be a database URI (sqlite:///path.db or postgresql://user:pass@host:5432/db), got '${studyUri.replace(/\/\/[^@/]*@/, '//***@')}'`,
      );
    return studyUri;
  }
  if (DATABASE_URI.test(trackingUri)) return trackingUri;
  throw new InvalidParameter(
    'A shared study (--study NAME) needs a database its processes can all reach: the tracking URI is a server ' +
      `(${trackingUri.replace(/\/\/[^@/]*@/, '//***@')}), so pass --study-uri postgresql://user:pass@host:5432/db ` +
      '(or sqlite:///path.db for processes on one machine).',
  );
}

export async function openStudyStorage(trackingUri: string, studyUri?: string): Promise<SqlStudyStorage> {
  return openSqlStudyStorage(studyDatabaseUri(trackingUri, studyUri));
}
