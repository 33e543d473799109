import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

// Three entries (Vite multi-page): the portal, the small public verification page
// (`/verify`, issue 17) that must stay under 200 KiB transferred, so it does not load
// Element Plus or ECharts, and the public publicity pages (`/public`, same reasons).
// The portal component serves `verify.html` for `/verify/...`, `public.html` for `/public/...`.
export default defineConfig({
  plugins: [vue()],
  build: {
    target: 'es2022',
    // No inline scripts or data: module preload polyfill (CSP `script-src 'self'`).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        verify: fileURLToPath(new URL('./verify.html', import.meta.url)),
        public: fileURLToPath(new URL('./public.html', import.meta.url)),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
