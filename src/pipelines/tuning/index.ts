// Hyper-parameter tuning with nested MLflow runs: `tune(…)`, the samplers, the per-family search
// spaces and the study storages (in this process, or shared through a database).
export { tune } from './tune.js';
export type {
  AskRecord,
  Objective,
  ObjectiveResult,
  TrialContext,
  TuneOptions,
  TuneProgress,
  TuningResult,
} from './tune.js';
export { createSampler, SAMPLER_NAMES, trialSeed } from './samplers.js';
export type { ObservedTrial, Sampler, SamplerName, TpeSettings } from './samplers.js';
export { formatParamValue, spaceSignature, toGrid, validateSpace } from './search-space.js';
export type { CategoricalParam, FloatParam, IntParam, ParamSpec, ParamValue, SearchSpace } from './search-space.js';
export { MODEL_FAMILIES, prefixSpace, SEARCH_SPACES } from './model-spaces.js';
export type { ModelFamily } from './model-spaces.js';
export { bestOf } from './study-storage.js';
export type { StudyRecord, StudySettings, StudyStorage, TrialRecord, TrialState } from './study-storage.js';
export { MemoryStudyStorage } from './memory-study-storage.js';
export { openSqlStudyStorage, SqlStudyStorage } from './sql-study-storage.js';
export { openStudyStorage, studyDatabaseUri } from './open-study-storage.js';
export { searchProgress } from './search-progress.js';
export type { SearchProgressPoint } from './search-progress.js';
export { TAG as TUNING_TAGS } from './trial-runs.js';
export { TUNING_MIGRATIONS } from './tuning-migrations.js';
