import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The page. No aliases: `@sship/webrtc` picks simple-peer's browser build by itself. */
export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 }
})
