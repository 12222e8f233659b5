// An HTML artifact (the pipelines' report.html, a drift report) shown in a sandboxed frame. The page
// is read through the artifact API and handed to the frame as srcdoc; the sandbox never includes
// allow-same-origin, so the report runs in an opaque origin: it cannot read Cairn's pages, storage
// or API answers. Scripts stay off (taken out of the page, so the frame does not even try them)
// unless the user turns them on for this report.
import { useId, useMemo, useState } from 'react';
import { fetchArtifactText } from '../api/client.js';
import { useAsync } from '../lib/use-async.js';
import { ErrorBox } from './ErrorBox.js';

const HTML_LIMIT = 8 * 1024 * 1024;

/**
 * The page without its scripts (script elements, on* handler attributes, javascript: links), parsed
 * as inert HTML so nothing in it runs or loads here, and how many were taken out.
 */
export function withoutScripts(html: string): { html: string; scripts: number } {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  let scripts = 0;
  for (const el of doc.querySelectorAll('script')) {
    el.remove();
    scripts++;
  }
  for (const el of doc.querySelectorAll('*')) {
    for (const attr of [...el.attributes]) {
      const handler = attr.name.toLowerCase().startsWith('on');
      const jsUrl = /^\s*javascript:/i.test(attr.value) && ['href', 'src', 'action', 'formaction'].includes(attr.name);
      if (handler || jsUrl) {
        el.removeAttribute(attr.name);
        scripts++;
      }
    }
  }
  if (scripts === 0) return { html, scripts };
  return { html: `${doc.doctype ? '<!doctype html>' : ''}${doc.documentElement.outerHTML}`, scripts };
}

export function HtmlPreview({ runId, path }: { runId: string; path: string }) {
  const html = useAsync(() => fetchArtifactText(runId, path, HTML_LIMIT), [runId, path]);
  const [scripts, setScripts] = useState(false);
  const id = useId();
  const inert = useMemo(() => (html.data === undefined ? undefined : withoutScripts(html.data)), [html.data]);
  if (html.error) return <ErrorBox error={html.error} />;
  if (html.data === undefined || inert === undefined) return <p className="muted">Loading…</p>;
  return (
    <>
      {inert.scripts > 0 ? (
        <div className="row" style={{ marginBottom: 6 }}>
          <input id={id} type="checkbox" checked={scripts} onChange={(e) => setScripts(e.target.checked)} />
          <label htmlFor={id}>
            Run the report's {inert.scripts} script{inert.scripts === 1 ? '' : 's'} (still sandboxed, without access to
            Cairn)
          </label>
        </div>
      ) : null}
      <iframe
        // a new frame when the sandbox changes: a frame's sandbox flags apply from its next navigation
        key={scripts ? 'scripts' : 'static'}
        className="html-preview"
        title={`Report ${path}`}
        sandbox={scripts ? 'allow-scripts' : ''}
        referrerPolicy="no-referrer"
        srcDoc={scripts ? html.data : inert.html}
        data-preview="html"
      />
    </>
  );
}
