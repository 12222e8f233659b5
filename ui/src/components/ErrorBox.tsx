// A failure shown as the server worded it (its MLflow error_code and message).
import { ApiError } from '../api/client.js';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.errorCode}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function ErrorBox({ error, label }: { error: unknown; label?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="error" role="alert" aria-label={label}>
      {errorText(error)}
    </div>
  );
}
