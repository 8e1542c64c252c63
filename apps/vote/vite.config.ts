import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The page. `simple-peer` is aliased to its self-contained build (as `@sship/webrtc` asks for browsers). */
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }]
  },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 }
})
