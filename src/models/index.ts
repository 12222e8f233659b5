// Public surface of src/models: model URIs and the model package format (no HTTP here; the client
// supplies registry and tracking lookups).
export * from './model-uri.js';
export * from './package/index.js';
