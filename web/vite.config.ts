import { defineConfig } from 'vite';

// The dashboard is served by the RCS itself (buildApi serves web/dist at / when operations are on); `npm run dev:web` proxies the API
// to a running platform or to scripts/ops/dev-server.ts.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 300 },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
