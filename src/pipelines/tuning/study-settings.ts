// Joining a study: the settings a study was created with bind every process that joins it, because
// trial numbers index the samplers' random streams and grids (a different seed or space would
// repeat or skip points) and the best trial is chosen by one direction and metric.
import { InvalidParameter } from '../../core/errors.js';
import type { StudySettings } from './study-storage.js';

const FIELDS: readonly (keyof StudySettings)[] = ['direction', 'sampler', 'seed', 'metric', 'space', 'experimentId'];

export function checkSameSettings(existing: StudySettings, wanted: StudySettings): void {
  for (const field of FIELDS) {
    if (String(existing[field]) === String(wanted[field])) continue;
    const differs =
      field === 'space'
        ? 'was created with a different search space than this process searches'
        : `was created with ${field} '${String(existing[field])}', this process asks for '${String(wanted[field])}'`;
    throw new InvalidParameter(
      `Study '${existing.name}' ${differs}: every process of a study must use the same ${field} (or another study name).`,
    );
  }
}
