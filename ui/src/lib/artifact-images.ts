// The image files among a run's artifacts, found by walking its artifact tree through the API
// (a bounded number of directories, so a run with a huge tree cannot stall the compare page).
import { listArtifacts } from '../api/client.js';

export const IMAGE_PATH = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const MAX_DIRS = 200;

export async function listImagePaths(runId: string): Promise<string[]> {
  const images: string[] = [];
  let level = [''];
  let listed = 0;
  while (level.length > 0 && listed < MAX_DIRS) {
    const batch = level.slice(0, MAX_DIRS - listed);
    listed += batch.length;
    const answers = await Promise.all(batch.map((dir) => listArtifacts(runId, dir)));
    level = [];
    for (const files of answers) {
      for (const f of files) {
        if (f.is_dir) level.push(f.path);
        else if (IMAGE_PATH.test(f.path)) images.push(f.path);
      }
    }
  }
  return images.sort();
}

/** Image paths across runs: those more runs share first, then by path. */
export function imageRows(perRun: readonly string[][]): Array<{ path: string; present: boolean[] }> {
  const sets = perRun.map((paths) => new Set(paths));
  const all = [...new Set(perRun.flat())];
  const rows = all.map((path) => ({ path, present: sets.map((s) => s.has(path)) }));
  const count = (r: { present: boolean[] }) => r.present.filter(Boolean).length;
  return rows.sort((a, b) => count(b) - count(a) || a.path.localeCompare(b.path));
}
