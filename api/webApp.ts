import fs from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import send from 'koa-send';

/**
 * The Content-Security-Policy the dashboard is built for: no inline script or style, nothing from
 * another origin. The app-wide security headers carry the same policy; the dashboard sets it on
 * its own answers too, so it never runs without one.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

// Paths that belong to the API, Daraja's callbacks and the reference docs, in any letter case: never the dashboard.
const NOT_DASHBOARD = /^\/(api|hooks|docs)(\/|$)/i;
// The dashboard's own pages and files are short paths of plain segments: nothing encoded, no dot
// segments, no empty ones, so that an odd spelling of an API path is the API's JSON 404, not a page.
const DASHBOARD_PATH = /^(\/[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)*)*\/?$/;
const DASHBOARD_PATH_MAX_LENGTH = 256;
// A payment link's checkout page: its own light page (web/pay.html), not the dashboard's.
const CHECKOUT_PAGE = /^\/pay\/[A-Za-z0-9]{16,64}$/;
// Vite names every built asset after its content hash: a changed file is a new URL.
const HASHED_ASSET = /^\/assets\//;
const HASHED_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** web/dist beside api/ (tsx) or beside dist/api/ (the compiled build). */
export const WEB_DIST_DIR =
  [path.resolve(__dirname, '..', 'web', 'dist'), path.resolve(__dirname, '..', '..', 'web', 'dist')].find((dir) =>
    fs.existsSync(dir),
  ) ?? path.resolve(__dirname, '..', 'web', 'dist');

export interface WebAppOptions {
  /** The dashboard's build (web/dist). */
  distDir: string;
}

/**
 * Serves the dashboard (a single-page app) at `/`, same origin as `/api`, so its session cookie
 * and CSRF token need no CORS. Files of the build are served as they are; any other GET is a page
 * of the app (history-API routing), answered with index.html, except a payment link's checkout
 * page (`/pay/<token>`), answered with pay.html, its own light page. Hashed assets are cached for a
 * year; index.html never, so a deploy reaches every browser on its next load.
 */
export function webApp({ distDir }: WebAppOptions = { distDir: WEB_DIST_DIR }): Middleware {
  const root = path.resolve(distDir);
  return async (ctx, next) => {
    if (
      (ctx.method !== 'GET' && ctx.method !== 'HEAD') ||
      NOT_DASHBOARD.test(ctx.path) ||
      ctx.path.length > DASHBOARD_PATH_MAX_LENGTH ||
      !DASHBOARD_PATH.test(ctx.path)
    )
      return next();
    ctx.set('Content-Security-Policy', DASHBOARD_CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The dashboard is not built yet: run `npm run build:web` (npm start does it for you).';
      return;
    }
    const hashed = HASHED_ASSET.test(ctx.path);
    if (hashed || (ctx.path !== '/' && isFileOf(root, ctx.path))) {
      const cacheControl = hashed ? HASHED_CACHE_CONTROL : 'no-cache';
      const served = await send(ctx, ctx.path, {
        root,
        setHeaders: (res) => res.setHeader('Cache-Control', cacheControl),
      }).catch(notFoundAsNull);
      if (served) return;
      // A missing hashed asset is an old build's file: a 404, not the app's page.
      if (hashed) return next();
    }
    const page = CHECKOUT_PAGE.test(ctx.path) ? 'pay.html' : 'index.html';
    await send(ctx, page, { root, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') });
  };
}

function isFileOf(root: string, urlPath: string): boolean {
  const file = path.resolve(root, `.${decodeURIComponent(urlPath)}`);
  return file.startsWith(root + path.sep) && fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

function notFoundAsNull(err: { status?: number }): null {
  if (err.status === 404) return null;
  throw err;
}
