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
