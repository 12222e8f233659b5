// Public surface of the client layer: openStores, the low-level CairnClient, the REST stores, the
// batch logger and the fluent API.
export { CairnClient, defaultArtifactRootFor, toTags } from './cairn-client.js';
export type { CairnClientOptions, SearchExperimentsOptions, SearchRunsOptions, TagsInput } from './cairn-client.js';
export type { CreateModelVersionOptions } from './cairn-client.js';
export { openStores, restStores, isServerUri } from './open-stores.js';
export type { ClientStores, OpenStoresOptions } from './open-stores.js';
export type { ClientTransport, ArtifactLocation } from './transport.js';
export { parseArtifactUri } from './transport.js';
export { RestTrackingStore } from './rest-transport.js';
export { RestRegistryStore } from './rest-registry-store.js';
export { RestWebhookStore } from './rest-webhook-store.js';
export { NotSupportedOverRest } from './rest-errors.js';
export { HttpConnection, authHeaders, isTransientError } from './http-connection.js';
export type { RetryPolicy, HttpConnectionOptions } from './http-connection.js';
export { ProxyArtifactRepository } from './proxy-artifact-repository.js';
export { BatchLogger, ResendFailed } from './batch-logger.js';
export type { BatchLoggerOptions, BatchSink } from './batch-logger.js';
export { ActiveRun } from './active-run.js';
export type { LogInputsOptions, LogMetricOptions, PngFigure } from './active-run.js';
export * as fluent from './fluent.js';
export type { LogModelOptions, LoadModelOptions, LoadedModelFrom, ModelInfo } from './model-logging.js';
