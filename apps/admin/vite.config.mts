import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `base: './'`: every asset URL is relative, so dist/ works from any path of any static server
 * (the gateway serves it at /admin/). The API URL is read at runtime from config.js.
 * `pnpm dev` proxies /api (and /widget.js) to the gateway at BB_API_PROXY (default http://127.0.0.1:3000).
 */
export default defineConfig({
  base: './',
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 700 },
  server: {
    port: 5174,
    // /widget.js and its lazy files: the widget settings page previews the real widget.
    proxy: Object.fromEntries(['/api', '/widget.js', '/widget/'].map((path) => [path, { target: process.env.BB_API_PROXY ?? 'http://127.0.0.1:3000', changeOrigin: false }])),
  },
});
