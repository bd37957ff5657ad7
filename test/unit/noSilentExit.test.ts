// No bash entry point ends silently: a command that fails under `set -e` is reported with the
// command, its exit status, the file and line, and what to do (scripts/lib/errors.sh). Each case
// injects a real failure: a tool on PATH that fails, or a missing `ls` target.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "..", "..");

/** A PATH whose `tool` exits 3, ahead of the real one. */
function failingTool(tool: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-fail-"));
    fs.writeFileSync(path.join(dir, tool), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    return `${dir}:${process.env.PATH}`;
}

function run(args: string[], env: Record<string, string> = {}) {
    const res = spawnSync("bash", args, { cwd: repo, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: res.status, stderr: res.stderr };
}

describe("no silent exit from the bash entry points", () => {
    it("a failed $(ls … | …) under set -e names the command, file and line", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-ls-"));
        const script = path.join(dir, "entry.sh");
        fs.writeFileSync(script, [
            "set -euo pipefail",
            `source ${repo}/scripts/lib/errors.sh`,
            "ERR_HINT='install the package first'",
            "version=$(ls /nonexistent/uml/modules | sort -V | tail -n1)",
            "echo not reached",
        ].join("\n"));
        const res = run([script]);
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /ERROR: `version=\$\(ls \/nonexistent\/uml\/modules \| sort -V \| tail -n1\)` failed \(exit status \d+\) at .*entry\.sh:4/);
        assert.match(res.stderr, /install the package first/);
    });

    it("lab.sh: a failing tool is reported at its line in lab/lib/common.sh, with what to do", () => {
        const res = run(["lab/lab.sh", "status"], { PATH: failingTool("sha1sum") });
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /\[lab\] ERROR: `.*sha1sum.*` failed \(exit status \d+\) at lab\/lib\/common\.sh:\d+/);
        assert.match(res.stderr, /\[lab\] See the lines above.*npm run lab -- down/);
    });

    it("setup-toolchain.sh and demo.sh: the failure and the script that stopped are both named", () => {
        const setup = run(["scripts/setup-toolchain.sh"], { PATH: failingTool("sha256sum") });
        assert.notEqual(setup.code, 0);
        assert.match(setup.stderr, /\[setup\] ERROR: `.*sha256sum.*` failed \(exit status \d+\) at scripts\/setup-toolchain\.sh:\d+/);
        const demo = run(["scripts/demo.sh"], { PATH: failingTool("sha256sum") });
        assert.notEqual(demo.code, 0);
        assert.match(demo.stderr, /\[setup\] ERROR: `.*sha256sum.*` failed/);
        assert.match(demo.stderr, /\[demo\] ERROR: `bash scripts\/setup-toolchain\.sh` failed \(exit status \d+\) at scripts\/demo\.sh:\d+/);
    });

    it("every bash entry point loads the error report", () => {
        const entries = [".ci/run", "lab/lab.sh", ...fs.readdirSync(path.join(repo, "scripts")).filter((f) => f.endsWith(".sh") && f !== "env.sh").map((f) => `scripts/${f}`)];
        for (const entry of entries) {
            const text = fs.readFileSync(path.join(repo, entry), "utf8");
            assert.match(text, /source .*(scripts\/lib\/errors\.sh|\/env\.sh|lib\/common\.sh)/, `${entry} sources the error report`);
        }
        assert.match(fs.readFileSync(path.join(repo, "scripts", "env.sh"), "utf8"), /source .*scripts\/lib\/errors\.sh/);
        assert.match(fs.readFileSync(path.join(repo, "lab", "lib", "common.sh"), "utf8"), /source .*scripts\/lib\/errors\.sh/);
    });
});
