// Two projects so that `jest test/unit` never starts Temporal: Jest runs a project's globalSetup
// only when at least one of that project's test files is selected.
// globalSetup/globalTeardown leave no open handles behind. `npm test` still passes --forceExit, so
// that one test's forgotten handle cannot hold CI open after the results are in;
// `npx jest --detectOpenHandles <files>` finds such a handle.
const shared = {
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      { swcrc: false, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Integration tests wait on real servers and real (short) workflow timers.
  testTimeout: 120_000,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120_000,
  // Two test files at a time, even on two cores: an integration file spends most of its time waiting
  // on its own servers and workflow timers. Each file has its own database, task queue and ports, and
  // transaction ids (hence workflow ids) start at a random offset, so files never see each other's work.
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/', '<rootDir>/test/browser/'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // One Temporal dev server and one workflow bundle for all integration test files.
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
    {
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      // The integration project's Temporal server and workflow bundle, plus the dashboard's build.
      globalSetup: '<rootDir>/test/browser/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
  ],
};
