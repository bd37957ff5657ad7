// `lab down` after the machine crashed or restarted: the PID files name processes that are gone (and the
// PIDs may now belong to someone else), and the SSH master sockets are stale. It must clean up and end
// nothing that is not the lab's.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "../..");

describe("lab down after a crash", () => {
    it("ends no process whose PID was reused, survives a stale SSH socket, and removes the run folder", () => {
        const cache = fs.mkdtempSync(path.join(os.tmpdir(), "labdown-"));
        const run = path.join(cache, "run-stale");
        fs.mkdirSync(run);
        const decoy = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
        try {
            // The PID is live, but its start time is not the one recorded: it is not the lab's process.
            fs.writeFileSync(path.join(run, "dir1.pid"), `${decoy.pid} 1\n`);
            fs.writeFileSync(path.join(run, "rs1.fwd.pid"), `${decoy.pid} 1\n`);
            const socket = path.join(run, "ssh-0123");
            const made = spawnSync("python3", ["-c", `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(socket)}); s.close()`]);
            assert.equal(made.status, 0, String(made.stderr));
            assert.ok(fs.statSync(socket).isSocket());

            const down = spawnSync("bash", ["lab/lab.sh", "down"], { cwd: repo, env: { ...process.env, LAB_CACHE: cache, LAB_NAME: "stale" }, encoding: "utf8" });
            assert.equal(down.status, 0, down.stderr);
            assert.match(down.stderr, /is down/);
            assert.ok(!fs.existsSync(run), "the run folder is removed");
            assert.doesNotThrow(() => process.kill(decoy.pid!, 0), "the decoy process is still alive");
        } finally {
            decoy.kill();
            fs.rmSync(cache, { recursive: true, force: true });
        }
    });
});
