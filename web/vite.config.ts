import { defineConfig } from "vite";

// The app reads the stack's addresses at run time from /config.json (scripts/dev writes it
// beside the built app), so one build serves any stack.
export default defineConfig({
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
});
