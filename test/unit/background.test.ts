// Background processes of the end-to-end tests (lab/background.ts): a step that fails while its loop runs
// leaves no process behind, and mocha exits. Checked without the lab: a mocha of its own runs a failing
// step whose loop connects to a TCP server on 127.0.0.1 started here.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { backgroundPids, startBackground, stopBackground } from "../../lab/background";

const root = path.resolve(__dirname, "..", "..");

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

describe("background processes of a failed step", function () {
    this.timeout(120_000);

    it("the root afterEach stops the loop a failing step left running: its PID is gone, no more connections, mocha exits", async () => {
        let connections = 0;
        const server = net.createServer((s) => { connections++; s.destroy(); });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-loop-"));
        const pidFile = path.join(dir, "pid");
        try {
            const mocha = spawn(process.execPath, [require.resolve("mocha/bin/mocha.js"), "test/fixtures/failing-step/loop.spec.ts"], {
                cwd: root,
                env: { ...process.env, LOOP_PORT: String((server.address() as net.AddressInfo).port), LOOP_PID_FILE: pidFile },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let output = "";
            mocha.stdout.on("data", (d) => (output += d));
            mocha.stderr.on("data", (d) => (output += d));
            const exited = new Promise<number | null>((r) => mocha.on("close", (code) => r(code)));
            const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 60_000).unref());
            const code = await Promise.race([exited, timeout]);
            const pid = Number(fs.readFileSync(pidFile, "utf8"));
            if (code === "timeout") {
                mocha.kill("SIGKILL");
                if (alive(pid)) process.kill(pid, "SIGKILL");
                assert.fail(`mocha did not exit within 60 s of the failed step (loop ${pid} alive: ${alive(pid)}):\n${output}`);
            }
            assert.equal(code, 1, output);
            assert.match(output, /1 failing/);
            assert.match(output, /the step failed on purpose/);
            assert.ok(connections > 0, "the loop ran before the step failed");
            assert.ok(!alive(pid), `the loop (pid ${pid}) is gone`);
            const seen = connections;
            await new Promise((r) => setTimeout(r, 500));
            assert.equal(connections, seen, "no connection after mocha exited");
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stopping one first stops what it runs elsewhere, given its output so far (a lab command's process group), then the local process", async () => {
        const seen: string[] = [];
        const bg = startBackground(["bash", "-c", 'echo "group $$" >&2; exec sleep 30'], { stopElsewhere: ({ stderr }) => seen.push(stderr) });
        for (let n = 0; n < 100 && !bg.output().stderr.includes("\n"); n++) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(backgroundPids(), [bg.pid]);
        assert.equal(await stopBackground(), 1);
        assert.deepEqual(seen, [`group ${bg.pid}\n`]);
        assert.ok(!alive(bg.pid), "the local process is gone");
        assert.deepEqual(backgroundPids(), []);
        assert.equal((await bg.done).code, 128 + 15, "ended by SIGTERM");
    });
});
