// The registry audit history of a model (or one version): every stage, alias, description, policy
// change and refusal, who made it and when, newest first, paged from the server.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { getHistory } from '../../api/registry-client.js';
import type { AuditEntry } from '../../api/registry-types.js';
import { formatTime } from '../../lib/format.js';
import { modelPath, versionPath } from '../../lib/registry-paths.js';
import { ErrorBox } from '../ErrorBox.js';
import { PolicyVerdictView } from './PolicyVerdictView.js';

const ACTIONS: Record<string, string> = {
  transition_stage: 'stage changed',
  transition_stage_refused: 'stage change refused',
  set_alias: 'alias set',
  set_alias_refused: 'alias refused',
  delete_alias: 'alias deleted',
  update_model_description: 'model description',
  update_version_description: 'version description',
  delete_version: 'version deleted',
  delete_model: 'model deleted',
  rename_model: 'renamed',
  set_policy: 'policy set',
  delete_policy: 'policy deleted',
  import_model: 'imported',
};

function change(e: AuditEntry): string {
  if (e.action.includes('alias')) {
    const v = (x: string | null) => (x ? `v${x}` : 'unset');
    return `@${e.alias ?? ''}: ${v(e.from)} → ${v(e.to)}`;
  }
  const what = e.alias ? `${e.alias}: ` : '';
  if (e.from === null && e.to === null) return what.replace(/: $/, '');
  return `${what}${e.from ?? '—'} → ${e.to ?? '—'}`;
}

interface Props {
  name: string;
  version?: string;
  /** Bumped by the parent after a change, to reload from the first page. */
  refresh: number;
}

export function HistoryTable({ name, version, refresh }: Props) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [open, setOpen] = useState<number | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh is the reload signal
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    getHistory(name, version, undefined, ctrl.signal).then(
      (page) => {
        setEntries(page.entries);
        setNext(page.nextPageToken);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [name, version, refresh]);

  const more = async () => {
    try {
      const page = await getHistory(name, version, next);
      setEntries((prev) => [...prev, ...page.entries]);
      setNext(page.nextPageToken);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-label="Audit history">
      <ErrorBox error={error} />
      {loading && entries.length === 0 ? <p className="muted">Loading the history…</p> : null}
      {!loading && entries.length === 0 && !error ? <p className="muted">No recorded changes yet.</p> : null}
      {entries.length > 0 ? (
        <table className="plain" aria-label="History">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              {version ? null : <th scope="col">Version</th>}
              <th scope="col">Change</th>
              <th scope="col">Reason</th>
              <th scope="col">Policy</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const refused = e.action.endsWith('_refused');
              return (
                <tr key={e.id} data-action={e.action}>
                  <td className="nowrap">{formatTime(e.timestamp)}</td>
                  <td>{e.user}</td>
                  <td className={refused ? 'verdict-fail nowrap' : 'nowrap'}>{ACTIONS[e.action] ?? e.action}</td>
                  {version ? null : (
                    <td>
                      {e.version ? (
                        e.action === 'delete_version' ? (
                          e.version
                        ) : (
                          <Link to={versionPath(e.name, e.version)}>{e.version}</Link>
                        )
                      ) : e.action === 'rename_model' && e.to ? (
                        <Link to={modelPath(e.to)}>{e.to}</Link>
                      ) : null}
                    </td>
                  )}
                  <td>{change(e)}</td>
                  <td>{e.reason ?? ''}</td>
                  <td>
                    {e.policy_result ? (
                      <>
                        <button
                          type="button"
                          className="link"
                          aria-expanded={open === e.id}
                          onClick={() => setOpen(open === e.id ? null : e.id)}
                        >
                          {e.policy_result.policy === null
                            ? 'no policy'
                            : e.policy_result.passed
                              ? 'passed'
                              : e.forced
                                ? 'failed, forced'
                                : 'failed'}
                        </button>
                        {open === e.id ? <PolicyVerdictView verdict={e.policy_result} /> : null}
                      </>
                    ) : e.forced ? (
                      'forced'
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void more()}>
          Load older changes
        </button>
      ) : null}
    </section>
  );
}
