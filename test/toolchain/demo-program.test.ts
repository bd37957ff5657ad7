// The repo root's Pulumi project is what `npm run demo` deploys: examples/lab-dr. The Node.js runtime
// falls back to package.json's entry point (dist/index.js, the library itself: a program that registers
// nothing) when Pulumi.yaml's `main` is a directory, so once dist/ is built the demo would deploy an
// empty stack. This previews the root project with dist/ present and counts what it would create.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pulumi, pulumiOk, repoRoot } from "../helpers/pulumi-cli";

/** Hosts shaped like `npm run lab -- status --json`; preview connects to none of them. */
function fakeLabHosts(): string {
    const host = (name: string, role: string, octet: number, port: number) => ({
        name, role,
        ssh: { host: "127.0.0.1", port, user: "root" },
        addresses: [
            { segment: "mgmt", interface: "mgmt0", address: `10.200.0.${octet}`, prefixLength: 24 },
            { segment: "front", interface: "eth0", address: `10.201.0.${octet}`, prefixLength: 24 },
        ],
    });
    return JSON.stringify([
        host("dir1", "director", 11, 1), host("dir2", "director", 12, 2),
        host("rs1", "real", 21, 3), host("rs2", "real", 22, 4), host("rs3", "real", 23, 5),
        host("client", "client", 50, 6),
    ]);
}

describe("the demo's program (the repo root's Pulumi project)", function () {
    this.timeout(300_000);
    const stack = `demo-program-${process.pid}`;

    before(() => {
        // The case that broke: a built package beside the program (npm ci runs `prepare`, which builds it).
        if (!fs.existsSync(path.join(repoRoot, "dist", "index.js"))) execFileSync("node", ["scripts/build.js"], { cwd: repoRoot, stdio: "inherit" });
        pulumiOk(repoRoot, ["stack", "init", stack]);
        pulumiOk(repoRoot, ["config", "set", "--stack", stack, "lab:hosts", fakeLabHosts()]);
        pulumiOk(repoRoot, ["config", "set", "--stack", stack, "--secret", "lab:privateKey", "not-a-key"]);
        pulumiOk(repoRoot, ["config", "set", "--stack", stack, "--secret", "vrrpPassword", "demo1234"]);
    });

    after(() => {
        pulumi(repoRoot, ["stack", "rm", "--yes", "--force", stack]);
    });

    it("previews examples/lab-dr (the pair, its real servers and the web service), not the built library", () => {
        const res = pulumiOk(repoRoot, ["preview", "--stack", stack, "--json"]);
        const urns: string[] = (JSON.parse(res.stdout).steps ?? []).map((s: { urn: string }) => s.urn);
        for (const type of ["pulumi-lvs:index:LvsDirectorPair", "pulumi-lvs:index:RealServer", "pulumi-lvs:index:VirtualService"]) {
            assert.ok(urns.some((u) => u.includes(`::${type}::`)), `the preview creates a ${type}; it would create:\n${urns.join("\n")}`);
        }
    });
});
