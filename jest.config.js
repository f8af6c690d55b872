/**
 * Three projects: `unit` and `property` need no server (`npx jest --selectProjects unit` runs in
 * seconds); `engine` (integration and replay) shares one Temporal dev server and one workflow bundle,
 * started by its globalSetup. `npm test` runs all three.
 */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120_000,
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 120_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'property', testMatch: ['<rootDir>/test/property/**/*.test.ts'] },
    {
      ...base,
      displayName: 'engine',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
