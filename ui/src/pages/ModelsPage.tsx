// Registered models: search by name (`?q=`), each with its latest version per stage, aliases and
// description; pages of 100 from the server's search.
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { searchRegisteredModels } from '../api/registry-client.js';
import type { RegisteredModel } from '../api/registry-types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { StageBadge } from '../components/registry/StageBadge.js';
import { formatTime } from '../lib/format.js';
import { modelPath, monitoringPath, versionPath } from '../lib/registry-paths.js';
import '../registry.css';

export function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [models, setModels] = useState<RegisteredModel[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      searchRegisteredModels(q, undefined, ctrl.signal).then(
        (page) => {
          setModels(page.models);
          setNext(page.nextPageToken);
          setError(null);
        },
        (err: unknown) => {
          if (!ctrl.signal.aborted) setError(err);
        },
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [q]);

  const more = async () => {
    try {
      const page = await searchRegisteredModels(q, next);
      setModels((prev) => [...(prev ?? []), ...page.models]);
      setNext(page.nextPageToken);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <main>
      <div className="row">
        <h1 className="grow">Registered models</h1>
        <Link to="/webhooks">Webhooks</Link>
      </div>
      <div className="row">
        <label className="sr-only" htmlFor="model-search">
          Search models by name
        </label>
        <input
          id="model-search"
          type="search"
          placeholder="Search models by name"
          value={q}
          onChange={(e) => {
            const nextParams = new URLSearchParams(params);
            if (e.target.value) nextParams.set('q', e.target.value);
            else nextParams.delete('q');
            setParams(nextParams, { replace: true });
          }}
        />
      </div>
      <ErrorBox error={error} />
      {models === null && !error ? <p className="muted">Loading…</p> : null}
      {models !== null && models.length === 0 ? (
        <p className="muted">
          {q
            ? `No registered model's name contains "${q}".`
            : "No registered models yet: `cairn quickstart` registers one, as does MLflow's `mlflow.register_model`."}
        </p>
      ) : null}
      {models && models.length > 0 ? (
        <table className="plain" aria-label="Registered models">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Latest versions</th>
              <th scope="col">Aliases</th>
              <th scope="col">Description</th>
              <th scope="col">Last updated</th>
              <th scope="col">
                <span className="sr-only">Monitoring</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.name} data-model={m.name}>
                <td>
                  <Link to={modelPath(m.name)}>{m.name}</Link>
                </td>
                <td>
                  <div className="chips">
                    {(m.latest_versions ?? []).map((v) => (
                      <Link
                        key={v.version}
                        to={versionPath(m.name, v.version)}
                        className="chip-link"
                        aria-label={`v${v.version} ${v.current_stage} of ${m.name}`}
                      >
                        v{v.version} <StageBadge stage={v.current_stage} />
                      </Link>
                    ))}
                  </div>
                </td>
                <td>
                  <div className="chips">
                    {(m.aliases ?? []).map((a) => (
                      <span key={a.alias} className="chip alias">
                        @{a.alias} → v{a.version}
                      </span>
                    ))}
                  </div>
                </td>
                <td className="clip" title={m.description}>
                  {m.description ?? ''}
                </td>
                <td className="nowrap">{formatTime(m.last_updated_timestamp)}</td>
                <td>
                  <Link to={monitoringPath(m.name)} aria-label={`Monitoring of ${m.name}`}>
                    Monitoring
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next ? (
        <button type="button" onClick={() => void more()}>
          Load more models
        </button>
      ) : null}
    </main>
  );
}
