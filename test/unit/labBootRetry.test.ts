// `lab up` when the emulator dies during the boot (QEMU 7.2's multi-threaded TCG now and then segfaults
// while the guest kernel boots): it says how the process ended, boots again from clean, and gives up after
// LAB_BOOT_ATTEMPTS boots. A boot that merely times out, or whose emulator exits (the guest powered off:
// a setup failure another boot would repeat), is not tried again. The route here is a fake one
// whose "emulator" is a shell that kills itself with SIGSEGV, run through the lab's own boot_hosts.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "../..");

const harness = `
set -euo pipefail
source lab/lib/common.sh
for f in up down; do source "$LAB_DIR/lib/$f.sh"; done
fake_start() {
  local n
  n=$(( $(cat "$LAB_CACHE/boots" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$LAB_CACHE/boots"
  if [ "$n" -le "$FAKE_DEATHS" ]; then setsid bash -c "sleep 0.3; \${FAKE_EXIT:-kill -SEGV \\$\\$}" < /dev/null &
  else setsid sleep 60 < /dev/null & [ "$FAKE_UP" = 1 ] && touch "$LAB_RUN/up"; fi
  record_pid $! "$LAB_RUN/fake.pid"
}
fake_boot_pidfiles() { echo "$LAB_RUN/fake.pid"; }
fake_main_pidfile() { echo "$LAB_RUN/fake.pid"; }
fake_console_tail() { echo "console of $1"; }
# Every host answers SSH once the boot that lives has marked itself up.
ssh() { [ -f "$LAB_RUN/up" ]; }
trap lab_down_quiet EXIT
boot_hosts fake
echo "booted: $(cat "$LAB_RUN/fake.pid" | cut -d' ' -f1)"
`;

function boot(env: Record<string, string>) {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "labboot-"));
    try {
        const run = spawnSync("bash", ["-c", harness], {
            cwd: repo,
            env: { ...process.env, LAB_CACHE: cache, LAB_NAME: "boot", FAKE_UP: "1", ...env },
            encoding: "utf8",
            timeout: 60_000,
        });
        const boots = Number(fs.readFileSync(path.join(cache, "boots"), "utf8"));
        const pid = /booted: (\d+)/.exec(run.stdout)?.[1];
        return { status: run.status, stderr: run.stderr, boots, pid: pid ? Number(pid) : undefined, runDirLeft: fs.existsSync(path.join(cache, "run-boot")) };
    } finally {
        fs.rmSync(cache, { recursive: true, force: true });
    }
}

function alive(pid: number): boolean {
    try { process.kill(pid, 0); return true; } catch { return false; }
}

describe("lab up when the emulator dies during the boot", function () {
    this.timeout(90_000);

    it("reports the signal, boots again from clean, and comes up", () => {
        const r = boot({ FAKE_DEATHS: "1" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.boots, 2);
        assert.match(r.stderr, /fake \(route fake\) was killed by signal 11 \(SIGSEGV\) before every host answered SSH/);
        assert.match(r.stderr, /console of dir1/);
        assert.match(r.stderr, /route fake, boot 2 of 3\)/);
        assert.ok(r.pid && !alive(r.pid), "the living boot's process was ended by the harness's lab down");
        assert.ok(!r.runDirLeft);
    });

    it("gives up after LAB_BOOT_ATTEMPTS boots that all died", () => {
        const r = boot({ FAKE_DEATHS: "9", LAB_BOOT_ATTEMPTS: "2" });
        assert.equal(r.status, 1);
        assert.equal(r.boots, 2);
        assert.match(r.stderr, /the lab's emulator died in each of 2 boots \(route fake; see above; LAB_BOOT_ATTEMPTS raises the limit\)/);
        assert.equal(r.stderr.match(/killed by signal 11/g)?.length, 2);
    });

    it("does not boot again when the emulator exits rather than crashes (the guest powered off)", () => {
        const r = boot({ FAKE_DEATHS: "9", FAKE_EXIT: "exit 0" });
        assert.equal(r.status, 1);
        assert.equal(r.boots, 1);
        assert.match(r.stderr, /fake \(route fake\) exited with status 0 before every host answered SSH/);
        assert.match(r.stderr, /a process the lab's boot needs ended before every host answered SSH \(route fake\): see the console lines above/);
    });

    it("does not boot again when the hosts merely do not answer in time", () => {
        const r = boot({ FAKE_DEATHS: "0", FAKE_UP: "0", LAB_BOOT_TIMEOUT: "3" });
        assert.equal(r.status, 1);
        assert.equal(r.boots, 1);
        assert.match(r.stderr, /the lab did not come up within 3 s/);
        assert.doesNotMatch(r.stderr, /killed by signal/);
    });
});
