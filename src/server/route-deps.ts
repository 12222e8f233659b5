// What the route plugins need from the app: the store and the artifact wiring.
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import type { RegistryStore } from '../registry/store.js';
import type { TrackingStore } from '../tracking/store.js';
import type { SearchBodyCache } from './search-body-cache.js';

export interface LocalArtifactRoot {
  root: string;
  repo: ArtifactRepository;
}

/** An object-store location (e.g. `s3://bucket/prefix`) whose run artifact roots the server may read. */
export interface UriArtifactRoot {
  /** The root URI, without a trailing slash. */
  uri: string;
  repo: ArtifactRepository;
}

export interface RouteDeps {
  store: TrackingStore;
  /** The model registry over the same database; its routes are registered only when present. */
  registry?: RegistryStore;
  /** The `--artifacts-destination` repository behind `mlflow-artifacts:` URIs; absent when not serving. */
  artifactRepo?: ArtifactRepository;
  serveArtifacts: boolean;
  /**
   * Local directories (realpath'd) whose run artifact roots (plain paths, file:// URIs) the server may
   * read, each with its repository; anything outside them is refused so an experiment created with
   * artifact_location=/etc cannot turn the server into a file reader.
   */
  localArtifactRoots: LocalArtifactRoot[];
  /**
   * Object-store roots (`--default-artifact-root s3://…`, an s3:// `--artifacts-destination`) whose run
   * artifact roots the server reads with its own credentials; any other bucket or prefix is refused.
   */
  uriArtifactRoots: UriArtifactRoot[];
  /** This app's recent runs/search bodies. */
  searchBodies: SearchBodyCache;
}
