// The API prefixes the app serves, apart from app.ts so the auth rules can name them without a cycle.

/** MLflow serves the tracking API under both; the preview prefix is kept for old clients. */
export const TRACKING_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow'];
export const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];
