import { defineConfig } from 'vite';

// JSX is compiled by Vite's own transformer (automatic runtime), so no framework plugin is needed.
// `npm run dev:web` proxies /api to the API that `npm start` (or `npm run api`) is running.
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // Two pages: the dashboard, and the payment links' checkout page, a light bundle of its own.
      input: {
        index: `${import.meta.dirname}/index.html`,
        pay: `${import.meta.dirname}/pay.html`,
      },
      // React libraries mark modules "use client" for server components; a browser-only app ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': process.env.IMARAPAY_API_ORIGIN ?? 'http://127.0.0.1:3000' },
  },
});
