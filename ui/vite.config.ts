/**
 * Builds the console into ui/dist: `deno task ui:build` (or `deno run -A npm:vite build` in
 * ui/). Hashed file names under assets/ let the server cache them for a year.
 */
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // Named vendor chunks (stable names in the size report): React with the router, and
        // CodeMirror, shared by the editor and the diff view and loaded only with them.
        manualChunks: (id: string) => {
          const pkg = /node_modules[\\/]\.deno[\\/]((?:@[^@+]+\+)?[^@]+)@/.exec(id)?.[1];
          if (!pkg) return undefined;
          if (/^(@codemirror|codemirror$|@lezer|style-mod|w3c-keyname|crelt)/.test(pkg)) {
            return "codemirror";
          }
          if (/^(react|react-dom|react-router|scheduler|cookie-es|@remix-run)/.test(pkg)) {
            return "react";
          }
          return undefined;
        },
      },
    },
  },
});
