// Public surface of preprocessing (importing it registers every component for restoreComponent).
export * from './table.js';
export * from './simple-imputer.js';
export * from './standard-scaler.js';
export * from './min-max-scaler.js';
export * from './one-hot-encoder.js';
export * from './ordinal-encoder.js';
export * from './column-transformer.js';
export type { ColumnVocabulary } from './category-vocabulary.js';
