// Content types for artifact downloads, following MLflow's `_guess_mime_type` (text files as text/plain).

const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'MLproject',
]);

const BY_EXTENSION: Record<string, string> = {
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  geojson: 'application/geo+json',
  parquet: 'application/octet-stream',
  pkl: 'application/octet-stream',
};

export function guessMimeType(filePath: string): string {
  const name = filePath.split('/').pop() ?? filePath;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : name;
  if (TEXT_EXTENSIONS.has(ext)) return 'text/plain';
  return BY_EXTENSION[ext.toLowerCase()] ?? 'application/octet-stream';
}
