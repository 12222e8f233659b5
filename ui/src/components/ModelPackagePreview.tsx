// A logged model package seen from its MLmodel: the summary (flavors, estimator, creation time,
// source run), the signature as tables of input and output columns, the input example as a table,
// and the MLmodel text itself.
import { Link } from 'react-router-dom';
import { fetchArtifactText } from '../api/client.js';
import { exampleTable, readMlmodel } from '../lib/mlmodel-view.js';
import { useAsync } from '../lib/use-async.js';
import { ErrorBox } from './ErrorBox.js';

const LIMIT = 1024 * 1024;
const EXAMPLE_ROWS = 20;

async function loadPackage(runId: string, mlmodelPath: string) {
  const [text, yaml] = await Promise.all([fetchArtifactText(runId, mlmodelPath, LIMIT), import('yaml')]);
  // the core schema: plain data only, no custom tags
  const view = readMlmodel(yaml.parse(text, { schema: 'core', customTags: [], maxAliasCount: 0 }));
  return { text, view };
}

export function ModelPackagePreview({ runId, mlmodelPath }: { runId: string; mlmodelPath: string }) {
  const pkg = useAsync(() => loadPackage(runId, mlmodelPath), [runId, mlmodelPath]);
  const dir = mlmodelPath.includes('/') ? mlmodelPath.slice(0, mlmodelPath.lastIndexOf('/') + 1) : '';
  if (pkg.error) return <ErrorBox error={pkg.error} label="MLmodel error" />;
  if (!pkg.data) return <p className="muted">Loading the model package…</p>;
  const { view, text } = pkg.data;
  return (
    <div className="model-package" data-preview="mlmodel">
      <section aria-labelledby="pkg-summary">
        <h3 id="pkg-summary">Model package</h3>
        <dl className="kv">
          {view.summary.map(([k, v]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd className="mono">{v}</dd>
            </div>
          ))}
          {view.runId ? (
            <>
              <dt>Source run</dt>
              <dd>
                <Link to={`/runs/${view.runId}`} className="mono">
                  {view.runId}
                </Link>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      {view.signatureProblem ? <p className="error">Signature not readable: {view.signatureProblem}</p> : null}
      {view.inputs ? <SignatureTable title="Signature inputs" columns={view.inputs} /> : null}
      {view.outputs ? <SignatureTable title="Signature outputs" columns={view.outputs} /> : null}
      {!view.inputs && !view.signatureProblem ? <p className="muted">This package has no signature.</p> : null}
      {view.inputExample ? <InputExample runId={runId} path={`${dir}${view.inputExample}`} /> : null}
      <details>
        <summary>MLmodel</summary>
        <pre className="mono">{text}</pre>
      </details>
    </div>
  );
}

function SignatureTable({
  title,
  columns,
}: {
  title: string;
  columns: Array<{ name: string; type: string; required: boolean }>;
}) {
  return (
    <section>
      <h3>{title}</h3>
      <table className="plain" aria-label={title}>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td className="mono">{c.type}</td>
              <td>{c.required ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function InputExample({ runId, path }: { runId: string; path: string }) {
  const example = useAsync(
    () => fetchArtifactText(runId, path, LIMIT).then((t) => exampleTable(JSON.parse(t))),
    [runId, path],
  );
  return (
    <section>
      <h3>Input example</h3>
      <ErrorBox error={example.error} label="Input example error" />
      {example.data === null ? <p className="muted">{path} is not a table this page can show.</p> : null}
      {example.data ? (
        <div style={{ overflowX: 'auto' }}>
          <table className="plain" aria-label="Input example">
            <thead>
              <tr>
                {example.data.columns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {example.data.rows.slice(0, EXAMPLE_ROWS).map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
                <tr key={i}>
                  {r.map((v, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: as above
                    <td key={j} className="mono">
                      {v === null || v === undefined ? '' : String(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
