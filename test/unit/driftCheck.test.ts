// driftCheck under Pulumi mocks, one process per run (test/helpers/driftRunUnderMocks.ts), the probe
// reaching fake hosts: the drift checks' inputs stay the same from run to run while the hosts are as
// configured (`pulumi preview --expect-no-changes` passes), change when a probe finds drift (naming it),
// stay changed-to after the repair recorded its mark, and a host that cannot be reached is a warning.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface Run {
    commands: Record<string, { triggers: string[]; stdin: string; create: string; delete: string }>;
    probes: { host: string; command: string; stdin: string }[];
    warnings: string[];
}
interface FakeHost { down?: boolean; drift?: Record<string, string[]>; record?: Record<string, string> }

const root = path.resolve(__dirname, "..", "..");
const SERVICE_FILE = "tcp_10-0-0-10_80.conf";
const PRIMARY = "10.1.1.1";

function run(mode: "preview" | "up", hosts: Record<string, FakeHost>): Run {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plvs-drift-")), "run.json");
    const res = spawnSync(process.execPath, ["-r", "tsx/cjs", path.join(root, "test", "helpers", "driftRunUnderMocks.ts"), mode, JSON.stringify(hosts), out], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(res.status, 0, `the program failed:\n${res.stderr}`);
    const result = JSON.parse(fs.readFileSync(out, "utf8")) as Run;
    fs.rmSync(path.dirname(out), { recursive: true });
    return result;
}

const inputs = (r: Run) => Object.fromEntries(Object.entries(r.commands).map(([n, c]) => [n, { triggers: c.triggers, stdin: c.stdin, create: c.create }]));
const mark = (r: Run, name: string) => r.commands[name]!.triggers[0]!;

describe("driftCheck: the drift checks change only when a director drifted (Pulumi mocks, fake hosts)", function () {
    this.timeout(120_000);
    const DRIFTED = { [PRIMARY]: { drift: { [SERVICE_FILE]: [`/etc/keepalived/pulumi-lvs/services/${SERVICE_FILE} differs from the stack (edited or removed on the host)`, "the IPVS service -t 10.0.0.10:80 is missing (removed by hand?)"] } } };
    let inSync: Run;
    let drifted: Run;

    it("two runs on hosts in sync give every drift check the same inputs (preview and up alike)", () => {
        inSync = run("up", {});
        assert.deepEqual(Object.keys(inSync.commands).sort(), ["lb-primary-drift", "lb-secondary-drift", "web-primary-drift", "web-secondary-drift"]);
        assert.deepEqual(inputs(run("preview", {})), inputs(inSync));
        assert.deepEqual(inputs(run("up", {})), inputs(inSync));
        assert.equal(inSync.probes.length, 4, "each drift check probes its director");
        assert.deepEqual(inSync.warnings, []);
    });

    it("a director that drifted gets a new trigger for that check only, naming each difference", () => {
        drifted = run("preview", DRIFTED);
        const m = mark(drifted, "web-primary-drift");
        assert.notEqual(m, mark(inSync, "web-primary-drift"));
        assert.match(m, /^drift seen \S+: .*tcp_10-0-0-10_80\.conf differs from the stack .*; the IPVS service -t 10\.0\.0\.10:80 is missing/);
        assert.ok(drifted.commands["web-primary-drift"]!.stdin.includes(`\n${m}\n# Managed by pulumi-lvs`), "the repair gets its mark ahead of the content, to record it");
        for (const other of ["lb-primary-drift", "lb-secondary-drift", "web-secondary-drift"]) {
            assert.deepEqual(inputs(drifted)[other], inputs(inSync)[other], `${other} is unchanged`);
        }
    });

    it("once the repair recorded its mark, the next runs keep it: no change", () => {
        const up = run("up", DRIFTED);
        const repaired = { [PRIMARY]: { record: { [SERVICE_FILE]: mark(up, "web-primary-drift") } } };
        const after = run("preview", repaired);
        assert.deepEqual(inputs(after), inputs(up));
        assert.deepEqual(inputs(run("up", repaired)), inputs(up));
    });

    it("a director that cannot be reached is a warning without its address, and its checks run in up", () => {
        const r = run("preview", { [PRIMARY]: { down: true } });
        assert.equal(r.warnings.length, 2, r.warnings.join("\n"));
        assert.match(r.warnings[0]!, /drift check .*\(primary director\): cannot probe the director for drift \(connect ECONNREFUSED \[host\]:\[port\]\)/);
        assert.ok(!r.warnings.join("\n").includes(PRIMARY));
        assert.match(mark(r, "lb-primary-drift"), /^not probed \S+: connect ECONNREFUSED \[host\]:\[port\]$/);
        assert.deepEqual(inputs(r)["lb-secondary-drift"], inputs(inSync)["lb-secondary-drift"]);
    });

    it("the probe sends no secret: the SSH key and the VRRP password are in neither its command nor its stdin", () => {
        for (const p of inSync.probes) {
            for (const secret of ["MOCKKEY", "pw12345"]) assert.ok(!p.command.includes(secret) && !p.stdin.includes(secret), `${secret} sent to ${p.host}`);
            assert.match(p.command, /sudo -n/, "as root, or through sudo -n like the remote commands");
        }
    });
});
