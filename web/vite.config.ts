import { defineConfig } from "vite";

// The app reads the stack's addresses at run time from /config.json (scripts/dev writes it
// beside the built app), so one build serves any stack. The first page loads about 30 kB; the
// sign-in chunk is cosmjs (about 2.2 MB, 0.5 MB gzipped), hence the higher warning limit.
export default defineConfig({
  build: { target: "es2022", chunkSizeWarningLimit: 2500 },
});
