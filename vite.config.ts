// The renderer build: renderer/index.html → dist/renderer, served by the web host and loaded by Electron.
// No inline scripts or styles, no external URLs: the pages run under a CSP of `script-src 'self'`.
import { defineConfig } from 'vite';
import path from 'node:path';

const top = import.meta.dirname;

export default defineConfig({
  root: path.join(top, 'renderer'),
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(top, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Keep the module-preload helper out of the page: it would need an inline script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // react-query marks its modules "use client" (a server-components hint that means nothing in this app).
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
});
