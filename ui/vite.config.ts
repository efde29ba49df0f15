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
        // CodeMirror in one chunk of its own name, shared by the editor and the diff view.
        manualChunks: (id: string) =>
          /node_modules[\\/]\.deno[\\/](@codemirror|codemirror|@lezer|style-mod|w3c-keyname|crelt)/
              .test(id)
            ? "codemirror"
            : undefined,
      },
    },
  },
});
