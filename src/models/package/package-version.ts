// Cairn's own version for the `cairn` flavor's cairn_version, read once from package.json
// (works from src/ under tsx and from dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  for (const rel of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'cairn' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate location
    }
  }
  return '0.0.0';
}

export const CAIRN_PACKAGE_VERSION = readVersion();
