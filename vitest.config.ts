import { defineConfig } from 'vitest/config';
import SkipReporter from './test/support/skip-reporter.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files only thrash. Integration files start their own servers.
    maxWorkers: 2,
    // The skip reporter closes the run with each missing requirement and how to enable it.
    reporters: ['default', new SkipReporter()],
  },
});
