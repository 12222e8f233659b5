// Loads the model `cairn serve` was given, through the client's loadModel (the one loader): an explicit
// URI is tried as given; a bare argument is tried as the reference projects did — the registry, then a
// run, then a local directory — and when nothing loads, the error lists every form tried and why it failed.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, InvalidParameter } from '../core/errors.js';
import type { CairnClient } from '../client/cairn-client.js';
import type { LoadedModelFrom } from '../client/model-logging.js';
import type { LoadedModel } from '../models/package/load-model.js';

/** A loaded model with what the API reports about it. */
export interface ServedModel {
  model: LoadedModel;
  /** The URI form that loaded (e.g. `models:/heart@champion`). */
  uri: string;
  /** The registered model name, else the package directory's name. */
  name: string;
  /** The registered version, else the package's model_uuid. */
  version: string;
  runId: string | null;
  /** ms since the epoch. */
  loadedAt: number;
}

const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;
const RUN_ID = /^[A-Za-z0-9_-]+$/;

/** The URI forms a `cairn serve` argument is tried as, in order. */
export function candidateUris(arg: string): string[] {
  if (HAS_SCHEME.test(arg)) return [arg];
  const out: string[] = [];
  if (!arg.includes('/') && !arg.includes('\\') && arg.trim() !== '') {
    out.push(`models:/${arg}/Production`, `models:/${arg}/latest`);
    if (RUN_ID.test(arg)) out.push(`runs:/${arg}/model`);
  }
  out.push(arg);
  return out;
}

function reason(err: unknown): string {
  if (err instanceof CairnError) return `${err.errorCode}: ${err.message}`;
  return (err as Error).message ?? String(err);
}

/** Describes the loaded model (name and version from the registry when it came through it). */
export function describeLoaded(loaded: LoadedModelFrom, uri: string): ServedModel {
  const mv = loaded.resolved?.modelVersion;
  const artifact = loaded.resolved?.artifactUri ?? loaded.dir;
  return {
    model: loaded,
    uri,
    name: mv?.name ?? path.basename(artifact.replace(/\/+$/, '')),
    version: mv?.version ?? loaded.modelUuid,
    runId: loaded.runId,
    loadedAt: Date.now(),
  };
}

/**
 * Loads `uri` through the client's loadModel. A package it downloaded (registry or run URIs) lives in a
 * temp directory that nothing reads once the model is in memory, so it is removed here.
 */
export async function loadAndDescribe(client: CairnClient, uri: string): Promise<ServedModel> {
  const loaded = await client.loadModel(uri);
  if (loaded.resolved && !loaded.resolved.local) await rm(loaded.dir, { recursive: true, force: true });
  return describeLoaded(loaded, uri);
}

/**
 * Loads `arg` through `client`. A local path is only tried when it exists (its absence is the reason
 * given); every failure is kept, and the final error names each form with its reason.
 */
export async function loadServedModel(client: CairnClient, arg: string): Promise<ServedModel> {
  const failures: string[] = [];
  for (const uri of candidateUris(arg)) {
    if (!HAS_SCHEME.test(uri) && !existsSync(uri)) {
      failures.push(`${uri} (a local package directory): ${path.resolve(uri)} does not exist`);
      continue;
    }
    try {
      return await loadAndDescribe(client, uri);
    } catch (err) {
      failures.push(`${uri}: ${reason(err)}`);
    }
  }
  throw new InvalidParameter(
    `Cannot load model '${arg}'. Tried ${failures.length} form${failures.length === 1 ? '' : 's'}:\n` +
      failures.map((f, i) => `  ${i + 1}. ${f}`).join('\n'),
  );
}
