// Where hyperparameter tuning plugs into `cairn train`: the options are parsed and checked here, and
// runTuning is the single call site the tuning module (src/pipelines/tuning: nested runs per trial,
// shared studies) fills in. Until it lands, asking for --tune is a usage error, never a silent no-op.
import type { LoadedDataset } from './load-dataset.js';
import type { ModelFamily } from './model-families.js';
import type { TrainResult } from './train-types.js';

export const TUNE_METHODS = ['tpe', 'random', 'grid'] as const;
export type TuneMethod = (typeof TUNE_METHODS)[number];

export interface TuneOptions {
  method: TuneMethod;
  maxEvals: number;
  workers: number;
  /** Shared study name (several processes on one PostgreSQL store). */
  study?: string;
}

export interface TuningRequest {
  options: TuneOptions;
  data: LoadedDataset;
  /** The family to tune (the best of the baseline runs). */
  family: ModelFamily;
  baseline: TrainResult;
  experimentId: string;
  cv: number;
  seed: number;
}

/** Thrown when tuning is asked for but not available; the CLI exits with status 2. */
export class TuningUnavailable extends Error {}

/** Whether this build can tune; checked before any training so `--tune` fails fast. */
export const TUNING_AVAILABLE = false;

export function assertTuningAvailable(options: TuneOptions | undefined): void {
  if (options && !TUNING_AVAILABLE)
    throw new TuningUnavailable(
      `--tune ${options.method} is not available yet in this build (hyperparameter tuning as nested runs is being added); ` +
        'run without --tune.',
    );
}

/** The tuning module's entry point: tunes `request.family` and returns what it logged. */
export async function runTuning(request: TuningRequest): Promise<never> {
  assertTuningAvailable(request.options);
  throw new TuningUnavailable('--tune is not available yet');
}
