// Public surface of the client layer: the low-level CairnClient, its transports, the batch
// logger and the fluent API.
export { CairnClient, defaultArtifactRootFor, toTags } from './cairn-client.js';
export type { CairnClientOptions, SearchExperimentsOptions, SearchRunsOptions, TagsInput } from './cairn-client.js';
export type { ClientTransport, ArtifactLocation } from './transport.js';
export { parseArtifactUri } from './transport.js';
export { RestTransport } from './rest-transport.js';
export { openStoreTransport, storeTransport } from './store-transport.js';
export type { StoreTransport, StoreTransportOptions } from './store-transport.js';
export { HttpConnection, authHeaders, isTransientError } from './http-connection.js';
export type { RetryPolicy, HttpConnectionOptions } from './http-connection.js';
export { ProxyArtifactRepository } from './proxy-artifact-repository.js';
export { BatchLogger } from './batch-logger.js';
export type { BatchLoggerOptions, BatchSink } from './batch-logger.js';
export { ActiveRun } from './active-run.js';
export type { LogInputsOptions, LogMetricOptions, PngFigure } from './active-run.js';
export * as fluent from './fluent.js';
export type { LogModelOptions, LoadModelOptions, LoadedModelFrom, ModelInfo } from './model-logging.js';
export { restRegistryClient, storeRegistryClient, registryStoreFor } from './registry-client.js';
export type { RegistryClient, CreateModelVersionOptions } from './registry-client.js';
