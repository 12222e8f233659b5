// Public surface of data ingest: CSV text → Frame, JSON records ↔ Frame.
export * from './csv.js';
export * from './records.js';
