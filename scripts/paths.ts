import path from 'node:path';

/** The repository root (this file lives in <root>/scripts). */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * Git-ignored folder for local state that survives restarts (Postgres data, Temporal's SQLite file,
 * the demo merchant); IMARAPAY_DATA_DIR puts it elsewhere (a second stack from the same checkout).
 */
export const DATA_DIR = process.env.IMARAPAY_DATA_DIR
  ? path.resolve(process.env.IMARAPAY_DATA_DIR)
  : path.join(REPO_ROOT, '.data');

/** Git-ignored folder for tools the project installs for itself (the Temporal CLI). */
export const TOOLS_BIN_DIR = path.join(REPO_ROOT, '.tools', 'bin');
