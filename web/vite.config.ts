import { defineConfig } from "vite";

// The app reads the stack's addresses at run time from /config.json (scripts/dev writes it
// beside the built app), so one build serves any stack. The first page loads about 30 kB; the
// sign-in chunk is cosmjs, hence the higher warning limit.
export default defineConfig({
  // @mesi/sdk is linked from ../sdk with its own node_modules: one copy of cosmjs, the app's.
  resolve: {
    dedupe: [
      "@cosmjs/amino",
      "@cosmjs/cosmwasm-stargate",
      "@cosmjs/crypto",
      "@cosmjs/encoding",
      "@cosmjs/proto-signing",
      "@cosmjs/stargate",
      "cosmjs-types",
    ],
  },
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      onwarn(warning, warn) {
        // @scure/base (under cosmjs) has a /* @__PURE__ */ inside a comment; harmless.
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("@scure/base")) return;
        warn(warning);
      },
    },
  },
});
