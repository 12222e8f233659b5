// A run's artifacts: a lazily listed tree, and a preview of the chosen file (images, text, JSON,
// CSV, HTML reports in a sandboxed frame, the model package from its MLmodel). The chosen path lives
// in the URL (?tab=artifacts&path=…).
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { artifactUrl, fetchArtifactText, listArtifacts } from '../api/client.js';
import type { FileInfo } from '../api/types.js';
import { parseCsv } from '../lib/csv-parse.js';
import { formatBytes } from '../lib/format.js';
import { useAsync } from '../lib/use-async.js';
import { ErrorBox } from './ErrorBox.js';
import { HtmlPreview } from './HtmlPreview.js';
import { ModelPackagePreview } from './ModelPackagePreview.js';

const TEXT_LIMIT = 1024 * 1024;
const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TEXT = /(\.(txt|log|md|ya?ml|py|ts|js|ini|cfg|toml|xml|sh|r)$)|(^|\/)(requirements\.txt|conda\.yaml)$/i;

type Kind = 'image' | 'json' | 'csv' | 'text' | 'html' | 'mlmodel' | 'other';

export function previewKind(path: string, size: number | undefined): Kind {
  if (IMAGE.test(path)) return 'image';
  if (size !== undefined && size > TEXT_LIMIT * 8) return 'other';
  if (/(^|\/)MLmodel$/.test(path)) return 'mlmodel';
  if (/\.html?$/i.test(path)) return 'html';
  if (/\.json$/i.test(path)) return 'json';
  if (/\.(csv|tsv)$/i.test(path)) return 'csv';
  if (TEXT.test(path)) return 'text';
  return 'other';
}

export function ArtifactBrowser({ runId }: { runId: string }) {
  const [params, setParams] = useSearchParams();
  const selected = params.get('path') ?? '';
  const [sizes] = useState(() => new Map<string, number | undefined>());
  const choose = (file: FileInfo) => {
    sizes.set(file.path, file.file_size);
    const next = new URLSearchParams(params);
    next.set('path', file.path);
    setParams(next, { replace: true });
  };
  return (
    <div className="split">
      <nav className="tree" aria-label="Artifact files">
        <Directory runId={runId} path="" selected={selected} onChoose={choose} />
      </nav>
      <section className="preview" aria-label="Artifact preview">
        {selected ? (
          <Preview runId={runId} path={selected} size={sizes.get(selected)} />
        ) : (
          <p className="muted">Choose a file to preview it.</p>
        )}
      </section>
    </div>
  );
}

interface DirProps {
  runId: string;
  path: string;
  selected: string;
  onChoose: (file: FileInfo) => void;
}

function Directory({ runId, path, selected, onChoose }: DirProps) {
  const files = useAsync(() => listArtifacts(runId, path), [runId, path]);
  if (files.error) return <ErrorBox error={files.error} />;
  if (!files.data) return <p className="muted">…</p>;
  if (files.data.length === 0 && path === '') return <p className="muted">&nbsp;No artifacts.</p>;
  const sorted = [...files.data].sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
  return (
    <ul>
      {sorted.map((f) =>
        f.is_dir ? (
          <Folder key={f.path} file={f} runId={runId} selected={selected} onChoose={onChoose} />
        ) : (
          <li key={f.path}>
            <button type="button" aria-current={selected === f.path} onClick={() => onChoose(f)} title={f.path}>
              {f.path.split('/').pop()} <span className="muted">{formatBytes(f.file_size)}</span>
            </button>
          </li>
        ),
      )}
    </ul>
  );
}

function Folder({ file, ...rest }: { file: FileInfo } & Omit<DirProps, 'path'>) {
  const [open, setOpen] = useState(rest.selected.startsWith(`${file.path}/`));
  return (
    <li>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} {file.path.split('/').pop()}/
      </button>
      {open ? <Directory {...rest} path={file.path} /> : null}
    </li>
  );
}

function Preview({ runId, path, size }: { runId: string; path: string; size: number | undefined }) {
  const kind = previewKind(path, size);
  const url = artifactUrl(runId, path);
  return (
    <>
      <div className="row" style={{ marginBottom: 8 }}>
        <strong className="mono grow">{path}</strong>
        <a href={url} download={path.split('/').pop()}>
          Download
        </a>
      </div>
      {kind === 'image' ? <img src={url} alt={`Artifact ${path}`} /> : null}
      {kind === 'json' || kind === 'csv' || kind === 'text' ? (
        <TextPreview runId={runId} path={path} kind={kind} />
      ) : null}
      {kind === 'html' ? <HtmlPreview runId={runId} path={path} /> : null}
      {kind === 'mlmodel' ? <ModelPackagePreview runId={runId} mlmodelPath={path} /> : null}
      {kind === 'other' ? <p className="muted">No preview for this file type; download it instead.</p> : null}
    </>
  );
}

function TextPreview({ runId, path, kind }: { runId: string; path: string; kind: 'json' | 'csv' | 'text' }) {
  const text = useAsync(() => fetchArtifactText(runId, path, TEXT_LIMIT), [runId, path]);
  if (text.error) return <ErrorBox error={text.error} />;
  if (text.data === undefined) return <p className="muted">Loading…</p>;
  if (kind === 'json') {
    let pretty = text.data;
    try {
      pretty = JSON.stringify(JSON.parse(text.data), null, 2);
    } catch {
      // not valid JSON (or cut at the preview limit): shown as it is
    }
    return (
      <pre className="mono" data-preview="json">
        {pretty}
      </pre>
    );
  }
  if (kind === 'csv') {
    const rows = parseCsv(text.data, 201);
    const [head, ...body] = rows;
    return (
      <table className="plain" data-preview="csv" aria-label={`Preview of ${path}`}>
        <thead>
          <tr>
            {(head ?? []).map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns have no identity beyond their place
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.slice(0, 200).map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
            <tr key={i}>
              {r.map((v, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: as above
                <td key={j}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <pre className="mono" data-preview="text">
      {text.data}
    </pre>
  );
}
