// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Every Node built-in, sub-paths included (dns/promises, fs/promises, …), with and without the node: prefix.
const nodeBuiltins = [
  ...new Set(builtinModules.flatMap((name) => [name.replace(/^node:/, ''), `node:${name.replace(/^node:/, '')}`])),
];

/** Workflow code is replayed and must be deterministic: no I/O, no Node built-ins. */
const workflowIoPaths = [
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
  ].map((name) => ({ name, message: 'Workflows must not do I/O; use an activity.' })),
];

/**
 * The layers, bottom to top: what each product folder may import of ours besides itself. Data and
 * calls flow one way: api/ and worker/ → payments/ and activities/ → db/, daraja/ → config/ → domain/.
 * Workflows are deterministic: workflows/ and domain/ only (activities as types). bench/, chaos/,
 * scripts/ and test/ are development tooling outside the layers: they set databases up and inspect
 * them from outside.
 */
const LAYERS = {
  domain: [],
  config: ['domain'],
  daraja: ['domain', 'config'],
  db: ['domain', 'config'],
  observability: ['domain', 'config', 'db'],
  workflows: ['domain'],
  payments: ['domain', 'config', 'db', 'workflows'],
  activities: ['domain', 'config', 'db', 'daraja', 'workflows', 'payments'],
  simulator: ['domain', 'config', 'daraja'],
  worker: ['domain', 'config', 'db', 'daraja', 'workflows', 'activities', 'payments', 'observability'],
  api: ['domain', 'config', 'db', 'daraja', 'workflows', 'payments', 'observability'],
};
const PRODUCT_FOLDERS = Object.keys(LAYERS);
/** Development tooling and the dashboard: the product never imports from them. */
const TOOLING_FOLDERS = ['bench', 'chaos', 'scripts', 'test', 'web'];

/** The database clients: reached only inside db/, through functions named for the read or the change. */
const DATABASE_PACKAGES = ['@mikro-orm/*', 'pg', 'pg/*', 'pg-*', 'knex', 'knex/*'];

/** Packages that do I/O, which domain/ (pure rules) never imports. */
const IO_PACKAGES = [
  'axios',
  'koa',
  'koa-*',
  '@koa/*',
  'pino',
  'pino-*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'prom-client',
  'rate-limiter-flexible',
];
const IO_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dns',
  'dns/promises',
  'tls',
  'dgram',
  'child_process',
  'worker_threads',
];

/** An import that climbs out of the importing folder into one of `folders` (at any depth). */
const intoFolders = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** The import restrictions of one product folder (workflows add determinism's own on top). */
function layerPatterns(folder) {
  const forbidden = [...PRODUCT_FOLDERS.filter((f) => f !== folder && !LAYERS[folder].includes(f)), ...TOOLING_FOLDERS];
  const patterns = [];
  if (folder === 'workflows') {
    forbidden.splice(forbidden.indexOf('activities'), 1);
    patterns.push({
      regex: intoFolders(['activities']),
      allowTypeImports: true,
      message: 'Import activities as types only (import type).',
    });
  }
  patterns.push({
    regex: intoFolders(forbidden),
    message: `${folder}/ imports only from ${[folder, ...LAYERS[folder]].join('/, ')}/: nothing imports upward (README, Layout).`,
  });
  if (folder !== 'db') {
    patterns.push(
      {
        group: DATABASE_PACKAGES,
        allowTypeImports: true,
        message:
          'The ORM, pg and knex are used only inside db/: call a function of db/ named for the read or the change.',
      },
      {
        regex: intoFolders(['db/entities']),
        allowTypeImports: true,
        message: "Entity schemas are the ORM's: outside db/ import their types only, and read or write through db/.",
      },
    );
  }
  if (folder === 'domain') {
    patterns.push({
      group: [...IO_PACKAGES, ...IO_BUILTINS, ...IO_BUILTINS.map((name) => `node:${name}`)],
      message: 'domain/ is pure: no I/O.',
    });
  }
  return patterns;
}

/**
 * Outside db/, no call on a database client (MikroORM, its EntityManager and connections, knex, pg)
 * even when its type came in as a parameter, and no SQL text: both belong in a named function of db/.
 * Import rules alone cannot see a call on an EntityManager a use case was handed, so this small rule
 * asks the type checker (already loaded for typed linting) where the receiver's type is declared.
 */
const noDatabaseCalls = {
  meta: {
    type: 'problem',
    docs: { description: 'Database calls and SQL text live only in db/.' },
    messages: {
      call: '{{ method }}() on a database client outside db/: call a function of db/ named for the read or the change.',
      sql: 'SQL outside db/: move the statement into a function of db/ named for the read or the change.',
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    const checker = services?.program?.getTypeChecker();
    const fromDatabasePackage = (node) => {
      const type = checker.getNonNullableType(checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node)));
      const symbol = type.getSymbol() ?? type.aliasSymbol;
      return (symbol?.getDeclarations() ?? []).some((d) =>
        /[\\/]node_modules[\\/](@mikro-orm[\\/]|knex[\\/]|pg[\\/]|pg-pool[\\/]|@types[\\/]pg[\\/])/.test(
          d.getSourceFile().fileName,
        ),
      );
    };
    const SQL =
      /^\s*(select\b[\s\S]*\bfrom\b|insert\s+into\b|update\s+\w+\s+set\b|delete\s+from\b|with\s+\w+\s+as\s*\()/i;
    return {
      'CallExpression > MemberExpression.callee'(node) {
        if (checker && fromDatabasePackage(node.object)) {
          const method = node.property.type === 'Identifier' ? node.property.name : 'a method';
          context.report({ node, messageId: 'call', data: { method } });
        }
      },
      Literal(node) {
        if (typeof node.value === 'string' && SQL.test(node.value)) context.report({ node, messageId: 'sql' });
      },
      TemplateLiteral(node) {
        if (SQL.test(node.quasis.map((q) => q.value.cooked ?? q.value.raw).join('?')))
          context.report({ node, messageId: 'sql' });
      },
    };
  },
};

/** Routes parse and answer: they reach data through a use case, never db/ itself (types aside). */
const routePatterns = [
  ...layerPatterns('api'),
  {
    regex: intoFolders(['db']),
    allowTypeImports: true,
    message: 'Routes parse and answer: call a use case (api/useCases/), which calls db/.',
  },
];

const layeringConfigs = PRODUCT_FOLDERS.map((folder) => ({
  files: [`${folder}/**/*.ts`],
  plugins: { layering: { rules: { 'no-database-calls': noDatabaseCalls } } },
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: folder === 'workflows' ? workflowIoPaths : [],
        patterns: layerPatterns(folder),
      },
    ],
    ...(folder === 'db' ? {} : { 'layering/no-database-calls': 'error' }),
    ...(folder === 'workflows'
      ? {
          'no-restricted-globals': [
            'error',
            { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
            { name: 'setInterval', message: 'Use sleep() in a loop.' },
          ],
        }
      : {}),
  },
}));

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
  ...layeringConfigs,
  {
    files: ['api/routes/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [], patterns: routePatterns }] },
  },
);
