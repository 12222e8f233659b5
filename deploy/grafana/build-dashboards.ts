// Writes the dashboards of dashboards.ts to deploy/grafana/dashboards/*.json (what Grafana provisions).
// Run after changing a dashboard: node --import tsx deploy/grafana/build-dashboards.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARD_FILES, dashboardJson } from './dashboards.js';

const dir = path.join(import.meta.dirname, 'dashboards');
mkdirSync(dir, { recursive: true });
for (const [file, build] of DASHBOARD_FILES) {
  writeFileSync(path.join(dir, file), dashboardJson(build()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(dir, file))}\n`);
}
