// One model version: stage, aliases, source run, tags, description, the model package's signature
// (read from its MLmodel when the package is reachable), stage and alias actions, and its history.
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { fetchModelVersionFile, getModelVersion, listModelVersions } from '../api/registry-client.js';
import { ErrorBox, errorText } from '../components/ErrorBox.js';
import { type Change, ChangeDialog } from '../components/registry/ChangeDialog.js';
import { HistoryTable } from '../components/registry/HistoryTable.js';
import { StageBadge } from '../components/registry/StageBadge.js';
import { formatTime } from '../lib/format.js';
import { type SignatureColumn, readMlmodel } from '../lib/mlmodel-signature.js';
import { modelPath, runPath, sourceRunId } from '../lib/registry-paths.js';
import { useAsync } from '../lib/use-async.js';
import '../registry.css';

function SignatureTable({ label, columns }: { label: string; columns: SignatureColumn[] }) {
  return (
    <table className="plain compact" aria-label={label}>
      <caption>{label}</caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c, i) => (
          <tr key={c.name ?? `#${i}`}>
            <td className="mono">{c.name ?? <span className="muted">(unnamed)</span>}</td>
            <td>{c.type}</td>
            <td>{c.required ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function VersionPage() {
  const params = useParams();
  const name = params.name ?? '';
  const version = params.version ?? '';
  const [refresh, setRefresh] = useState(0);
  const [historyTick, setHistoryTick] = useState(0);
  const mv = useAsync((signal) => getModelVersion(name, version, signal), [name, version, refresh]);
  const all = useAsync((signal) => listModelVersions(name, signal), [name, refresh]);
  const mlmodel = useAsync(
    async () => readMlmodel(await fetchModelVersionFile(name, version, 'MLmodel')),
    [name, version],
  );
  const [change, setChange] = useState<Change | null>(null);
  const v = mv.data;
  const runId = v ? sourceRunId(v.source, v.run_id) : undefined;

  return (
    <main>
      <div className="breadcrumb">
        <Link to="/models">Registered models</Link> / <Link to={modelPath(name)}>{name}</Link> /
      </div>
      <h1>
        {name} version {version}
      </h1>
      <ErrorBox error={mv.error} />
      {v ? (
        <>
          <div className="row">
            <button type="button" onClick={() => setChange({ kind: 'stage', version: v })}>
              Change stage…
            </button>
            <button type="button" onClick={() => setChange({ kind: 'alias', alias: '', version: v.version })}>
              Set alias…
            </button>
          </div>
          <dl className="kv" aria-label="Version details">
            <dt>Stage</dt>
            <dd>
              <StageBadge stage={v.current_stage} />
            </dd>
            <dt>Aliases</dt>
            <dd>
              {(v.aliases ?? []).length === 0 ? <span className="muted">none</span> : null}
              <div className="chips">
                {(v.aliases ?? []).map((a) => (
                  <span key={a} className="chip alias">
                    @{a}
                    <button
                      type="button"
                      className="chip-x"
                      aria-label={`Delete alias @${a}`}
                      onClick={() => setChange({ kind: 'delete-alias', alias: a, version: v.version })}
                    >
                      ×
                    </button>
                  </span>
                ))}
              </div>
            </dd>
            <dt>Source run</dt>
            <dd className="mono">
              {runId ? <Link to={runPath(runId)}>{runId}</Link> : <span className="muted">none</span>}
            </dd>
            <dt>Source</dt>
            <dd className="mono">{v.source}</dd>
            <dt>Status</dt>
            <dd>
              {v.status}
              {v.status_message ? ` — ${v.status_message}` : ''}
            </dd>
            <dt>Created</dt>
            <dd>
              {formatTime(v.creation_timestamp)}
              {v.user_id ? ` by ${v.user_id}` : ''}
            </dd>
            <dt>Last updated</dt>
            <dd>{formatTime(v.last_updated_timestamp)}</dd>
            <dt>Description</dt>
            <dd className={v.description ? undefined : 'muted'}>{v.description || 'none'}</dd>
          </dl>

          <h2>Tags</h2>
          {(v.tags ?? []).length === 0 ? <p className="muted">No tags.</p> : null}
          {(v.tags ?? []).length > 0 ? (
            <table className="plain compact" aria-label="Version tags">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {(v.tags ?? []).map((t) => (
                  <tr key={t.key}>
                    <td className="mono">{t.key}</td>
                    <td>{t.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}

      <h2>Signature</h2>
      {mlmodel.loading ? <p className="muted">Reading the model package…</p> : null}
      {mlmodel.error ? (
        <p className="muted">The model package is not reachable from this server ({errorText(mlmodel.error)}).</p>
      ) : null}
      {mlmodel.data ? (
        <>
          <p className="muted">
            Flavors: {mlmodel.data.flavors.join(', ') || 'none'}
            {mlmodel.data.created ? ` · packaged ${mlmodel.data.created}` : ''}
          </p>
          {mlmodel.data.inputs ? (
            <div className="sig-grid">
              <SignatureTable label="Inputs" columns={mlmodel.data.inputs} />
              {mlmodel.data.outputs ? <SignatureTable label="Outputs" columns={mlmodel.data.outputs} /> : null}
            </div>
          ) : (
            <p className="muted">The MLmodel file has no signature.</p>
          )}
        </>
      ) : null}

      <h2>History of this version</h2>
      <HistoryTable name={name} version={version} refresh={refresh + historyTick} />

      {change ? (
        <ChangeDialog
          modelName={name}
          change={change}
          versions={all.data ?? (v ? [v] : [])}
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
