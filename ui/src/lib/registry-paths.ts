// The UI's registry and monitoring paths, names encoded so any model name round-trips through the URL.

export const modelPath = (name: string) => `/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: string) =>
  `/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
export const monitoringPath = (name: string) => `/monitoring/${encodeURIComponent(name)}`;
export const runPath = (runId: string) => `/runs/${encodeURIComponent(runId)}`;
export const runArtifactPath = (runId: string, path: string) =>
  `/runs/${encodeURIComponent(runId)}?${new URLSearchParams({ tab: 'artifacts', path })}`;

/** The run id of a `runs:/<id>/…` source, when the version carries no run_id. */
export function sourceRunId(source: string, runId: string | undefined): string | undefined {
  if (runId) return runId;
  const m = /^runs:\/([^/]+)/.exec(source);
  return m?.[1];
}
