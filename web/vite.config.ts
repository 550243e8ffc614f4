import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// `npm run dev` serves the client on :5173 and sends the API and the gateway to a hearth
// running on :8080 (HEARTH_URL to point elsewhere).
const target = process.env.HEARTH_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // One JS and one CSS file, hashed: long-cached by the server.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/api": target,
      "/gateway": { target, ws: true },
    },
  },
});
