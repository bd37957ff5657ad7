// `npm run build` (and prepack / prepare): the package as it is published. dist/ is made from src/ alone,
// from scratch, so nothing stale or foreign is shipped; the remote scripts go beside the JS that reads them
// (src/remote/scriptText.ts reads ./scripts/<name>.sh relative to itself).
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
fs.cpSync(path.join(root, "src", "remote", "scripts"), path.join(dist, "remote", "scripts"), { recursive: true });

// The component package's schema (plugin/), inferred from the TypeScript Args now, once: the plugin then
// runs without the sources or the compiler.
const { packageSchema } = require(path.join(dist, "plugin", "packageSchema.js"));
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const schema = packageSchema(path.join(root, "plugin"), manifest.version, manifest.description);
fs.writeFileSync(path.join(dist, "plugin", "schema.json"), `${JSON.stringify(schema, null, 2)}\n`);
