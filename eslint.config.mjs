// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Every Node built-in, sub-paths included (dns/promises, fs/promises, …), with and without the node: prefix.
const nodeBuiltins = [
  ...new Set(builtinModules.flatMap((name) => [name.replace(/^node:/, ''), `node:${name.replace(/^node:/, '')}`])),
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'web/dist/**',
      'node_modules/**',
      '.data/**',
      '.tools/**',
      'coverage/**',
      'bench/results/**',
      'chaos/results/**',
      'test/fixtures/**',
      'jest.config.js',
      'eslint.config.mjs',
      // Plain JavaScript that must run on any Node before the project's own toolchain (no tsconfig).
      'scripts/check-runtime.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A forgotten await on money-moving code is a lost update; make it impossible to miss.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Workflow code is replayed and must be deterministic: no I/O, no Node built-ins, activities as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflows must not do I/O; use an activity.' })),
            ...[
              'axios',
              'pg',
              'koa',
              'pino',
              '@mikro-orm/core',
              '@mikro-orm/postgresql',
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
            ].map((name) => ({
              name,
              message: 'Workflows must not do I/O; use an activity.',
            })),
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Import activities as types only (import type).',
            },
            {
              group: ['**/db/*', '**/api/*', '**/daraja/*', '**/simulator/*', '**/scripts/*'],
              message: 'Workflows must not import I/O layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop.' },
      ],
    },
  },
);
