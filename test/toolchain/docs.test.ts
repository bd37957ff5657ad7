// The reference docs: `npm run docs` builds them from the TSDoc with typedoc, and any typedoc warning
// (a public type that is not exported, a broken {@link}, an unknown tag) fails it, so CI catches it.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../helpers/pulumi-cli";

describe("the reference docs (npm run docs)", function () {
    this.timeout(120_000);
    let out: string;
    let run: { status: number | null; output: string };

    before(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-docs-"));
        const res = spawnSync("npm", ["run", "docs", "--", "--out", out], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
        // eslint-disable-next-line no-control-regex
        run = { status: res.status, output: `${res.stdout}${res.stderr}`.replace(/\x1b\[[0-9;]*m/g, "") };
    });

    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("treats every typedoc warning as an error", () => {
        const config = JSON.parse(fs.readFileSync(path.join(repoRoot, "typedoc.json"), "utf8")) as { treatWarningsAsErrors?: boolean; entryPoints?: string[]; out?: string };
        assert.equal(config.treatWarningsAsErrors, true);
        assert.deepEqual(config.entryPoints, ["src/index.ts"]);
        assert.equal(config.out, "docs/api");
        assert.match(fs.readFileSync(path.join(repoRoot, ".gitignore"), "utf8"), /^docs\/api\/$/m);
    });

    it("builds without a warning or an error", () => {
        assert.equal(run.status, 0, run.output);
        assert.doesNotMatch(run.output, /\[(warning|error)\]/, run.output);
    });

    it("has a page for each component and its arguments, with their TSDoc", () => {
        for (const page of ["classes/LvsDirectorPair.html", "classes/VirtualService.html", "classes/RealServer.html", "interfaces/LvsDirectorPairArgs.html", "interfaces/VirtualServiceArgs.html", "interfaces/RealServerArgs.html"]) {
            assert.ok(fs.existsSync(path.join(out, page)), `${page} is generated`);
        }
        assert.match(fs.readFileSync(path.join(out, "interfaces", "LvsDirectorPairArgs.html"), "utf8"), /driftCheck/);
        assert.match(fs.readFileSync(path.join(out, "types", "Scheduler.html"), "utf8"), /wlc/);
    });
});
