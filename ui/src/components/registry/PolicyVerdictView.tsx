// A promotion policy's verdict for one candidate: every criterion with the values seen, passed or failed.
import type { Criterion, PolicyVerdict } from '../../api/registry-types.js';
import { formatNumber } from '../../lib/format.js';

const show = (v: number | null | undefined) => (v === null || v === undefined ? 'missing' : formatNumber(Number(v)));

function expected(c: Criterion): string {
  if (c.kind === 'require') return `${c.op} ${c.threshold}`;
  if (c.current_version === null || c.current_version === undefined) return c.detail ?? 'no holder';
  return `> v${c.current_version}'s ${show(c.current_value)} + ${c.by ?? 0}`;
}

export function PolicyVerdictView({ verdict }: { verdict: PolicyVerdict }) {
  if (!verdict.policy) {
    return (
      <p className="verdict verdict-none" data-verdict="none">
        No promotion policy applies to <strong>{verdict.target}</strong>; the change is not gated.
      </p>
    );
  }
  const label = `Promotion policy for ${verdict.target}: ${verdict.passed ? 'passes' : 'fails'}`;
  return (
    <section className="verdict" aria-label={label} data-verdict={verdict.passed ? 'passed' : 'failed'}>
      <p className={verdict.passed ? 'verdict-pass' : 'verdict-fail'}>
        <strong>{verdict.passed ? '✓ Policy passes' : '✗ Policy fails'}</strong> for version {verdict.version} →{' '}
        {verdict.target}
        {verdict.policy.description ? <span className="muted"> — {verdict.policy.description}</span> : null}
      </p>
      <table className="plain compact" aria-label="Policy criteria">
        <thead>
          <tr>
            <th scope="col">Criterion</th>
            <th scope="col">Value</th>
            <th scope="col">Needs</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {verdict.criteria.map((c) => (
            <tr key={`${c.kind}:${c.criterion}`} data-passed={c.passed}>
              <td className="mono">{c.criterion}</td>
              <td className="num">{show(c.value)}</td>
              <td>{expected(c)}</td>
              <td className={c.passed ? 'verdict-pass' : 'verdict-fail'}>
                {c.passed ? '✓ passed' : '✗ failed'}
                {c.detail && !c.passed ? <div className="muted small">{c.detail}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
