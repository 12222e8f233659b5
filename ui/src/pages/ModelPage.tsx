// One registered model: description, tags, aliases (set, delete), its promotion policies, every version
// with stage, aliases, source run and creation time (change stage), and the audit history.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { getPolicies, getRegisteredModel, listModelVersions } from '../api/registry-client.js';
import type { PolicyDocument } from '../api/registry-types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { type Change, ChangeDialog } from '../components/registry/ChangeDialog.js';
import { HistoryTable } from '../components/registry/HistoryTable.js';
import { StageBadge } from '../components/registry/StageBadge.js';
import { formatTime } from '../lib/format.js';
import { monitoringPath, runPath, sourceRunId, versionPath } from '../lib/registry-paths.js';
import { useAsync } from '../lib/use-async.js';
import '../registry.css';

export function policyText(p: PolicyDocument): string {
  const parts = p.require.map((r) => {
    const op = Object.keys(r).find((k) => k !== 'metric') ?? '';
    return `${r.metric} ${op} ${r[op]}`;
  });
  if (p.mustBeat) parts.push(`${p.mustBeat.metric} beats ${p.mustBeat.current} by more than ${p.mustBeat.by}`);
  return parts.join(', ');
}

export function ModelPage() {
  const name = useParams().name ?? '';
  const [refresh, setRefresh] = useState(0);
  const [historyTick, setHistoryTick] = useState(0);
  const model = useAsync((signal) => getRegisteredModel(name, signal), [name, refresh]);
  const versions = useAsync((signal) => listModelVersions(name, signal), [name, refresh]);
  const policies = useAsync((signal) => getPolicies(name, signal), [name]);
  const [change, setChange] = useState<Change | null>(null);
  const m = model.data;
  const list = versions.data ?? [];

  return (
    <main>
      <div className="breadcrumb">
        <Link to="/models">Registered models</Link> /
      </div>
      <div className="row">
        <h1 className="grow">{name}</h1>
        <Link to={monitoringPath(name)}>Monitoring</Link>
      </div>
      <ErrorBox error={model.error} />
      {m ? (
        <>
          <p className={m.description ? undefined : 'muted'}>{m.description || 'No description.'}</p>
          <dl className="kv">
            <dt>Created</dt>
            <dd>{formatTime(m.creation_timestamp)}</dd>
            <dt>Last updated</dt>
            <dd>{formatTime(m.last_updated_timestamp)}</dd>
            <dt>Tags</dt>
            <dd>
              {(m.tags ?? []).length === 0 ? <span className="muted">none</span> : null}
              <div className="chips">
                {(m.tags ?? []).map((t) => (
                  <span key={t.key} className="chip">
                    {t.key}={t.value}
                  </span>
                ))}
              </div>
            </dd>
          </dl>

          <h2 id="aliases-h">Aliases</h2>
          <div className="row" id="aliases">
            {(m.aliases ?? []).length === 0 ? <span className="muted">No aliases.</span> : null}
            {(m.aliases ?? []).map((a) => (
              <span key={a.alias} className="chip alias" data-alias={a.alias}>
                <Link to={versionPath(name, a.version)}>
                  @{a.alias} → v{a.version}
                </Link>
                <button
                  type="button"
                  className="chip-x"
                  aria-label={`Delete alias @${a.alias}`}
                  onClick={() => setChange({ kind: 'delete-alias', alias: a.alias, version: a.version })}
                >
                  ×
                </button>
              </span>
            ))}
            <button
              type="button"
              disabled={list.length === 0}
              onClick={() => setChange({ kind: 'alias', alias: '', version: list[0]?.version ?? '' })}
            >
              Set alias…
            </button>
          </div>
        </>
      ) : null}

      <h2>Promotion policies</h2>
      <ErrorBox error={policies.error} />
      {policies.data && policies.data.length === 0 ? (
        <p className="muted">
          No promotion policy: any version may move to any stage or alias. Set one with{' '}
          <code>cairn models policy set</code>.
        </p>
      ) : null}
      {policies.data && policies.data.length > 0 ? (
        <ul className="policies">
          {policies.data.map((p) => (
            <li key={p.target}>
              <strong>{p.target}</strong>: {policyText(p)}
              {p.description ? <span className="muted"> — {p.description}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}

      <h2>Versions</h2>
      <ErrorBox error={versions.error} />
      {versions.loading && !versions.data ? <p className="muted">Loading…</p> : null}
      {versions.data && list.length === 0 ? <p className="muted">No versions yet.</p> : null}
      {list.length > 0 ? (
        <table className="plain" aria-label="Versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Stage</th>
              <th scope="col">Aliases</th>
              <th scope="col">Source run</th>
              <th scope="col">Created</th>
              <th scope="col">Tags</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => {
              const runId = sourceRunId(v.source, v.run_id);
              return (
                <tr key={v.version} data-version={v.version}>
                  <td>
                    <Link to={versionPath(name, v.version)}>Version {v.version}</Link>
                  </td>
                  <td>
                    <StageBadge stage={v.current_stage} />
                  </td>
                  <td>
                    <div className="chips">
                      {(v.aliases ?? []).map((a) => (
                        <span key={a} className="chip alias">
                          @{a}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td className="mono">
                    {runId ? <Link to={runPath(runId)}>{runId.slice(0, 12)}</Link> : <span title={v.source}>—</span>}
                  </td>
                  <td className="nowrap">{formatTime(v.creation_timestamp)}</td>
                  <td>
                    <div className="chips">
                      {(v.tags ?? []).map((t) => (
                        <span key={t.key} className="chip">
                          {t.key}={t.value}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td className="nowrap">
                    <button
                      type="button"
                      onClick={() => setChange({ kind: 'stage', version: v })}
                      aria-label={`Change stage of version ${v.version}`}
                    >
                      Stage…
                    </button>{' '}
                    <button
                      type="button"
                      onClick={() => setChange({ kind: 'alias', alias: '', version: v.version })}
                      aria-label={`Set an alias on version ${v.version}`}
                    >
                      Alias…
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}

      <h2>History</h2>
      <HistoryTable name={name} refresh={refresh + historyTick} />

      {change ? (
        <ChangeDialog
          modelName={name}
          change={change}
          versions={list}
          onClose={() => setChange(null)}
          onRefused={() => setHistoryTick((n) => n + 1)}
          onDone={() => {
            setChange(null);
            setRefresh((n) => n + 1);
          }}
        />
      ) : null}
    </main>
  );
}
