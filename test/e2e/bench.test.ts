// `npm run bench` in its smoke mode (bench/run.ts --smoke) on the test lab: the bench works, end to end,
// with both tools. Not a timed test: it checks what the bench reports, never how fast anything was.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { directorPackagesAbsent, repoRoot, sh } from "../../lab/helpers";
import type { BenchReport } from "../../bench/report";

describe("npm run bench (smoke mode)", function () {
    this.timeout(40 * 60_000);

    /** What either tool could leave on a host: packages, files, sysctls, addresses, sshd's settings. */
    const hostState = () => Object.fromEntries(["dir1", "dir2", "rs1", "rs2", "rs3"].map((h) => [h, sh(h,
        "dpkg-query -W -f='${Package} ${Status}\\n' keepalived ipvsadm python3-apt 2>/dev/null | grep ' installed$'; ls -a /etc/keepalived /etc/sysctl.d /etc/ssh/sshd_config.d /etc/systemd/system /root 2>&1; " +
        "sysctl net.ipv4.ip_forward net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce net.ipv4.conf.lo.arp_ignore net.ipv4.conf.lo.arp_announce; ip -o addr show dev lo; systemctl is-active keepalived 2>&1; true")]));

    it("runs every row with both tools, counts each director's cost, and leaves the hosts as it found them", async () => {
        // The bench starts from directors as the lab makes them (it proves both tools' installs).
        await directorPackagesAbsent();
        const before = hostState();
        const install = spawnSync("bash", [path.join(repoRoot, "bench", "ensure-ansible.sh")], { encoding: "utf8" });
        assert.equal(install.status, 0, install.stderr);
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-")), "results.json");
        const res = spawnSync("npx", ["tsx", path.join(repoRoot, "bench", "run.ts"), "--smoke", "--out", out], {
            cwd: repoRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 35 * 60_000,
        });
        assert.equal(res.status, 0, `bench failed:\n${res.stdout}\n${res.stderr}`);
        const report = JSON.parse(fs.readFileSync(out, "utf8")) as BenchReport;
        const row = (task: string, tool: string) => {
            const r = report.rows.find((x) => x.task === task && x.tool === tool);
            assert.ok(r, `a row "${task}" of ${tool}: ${JSON.stringify(report.rows.map((x) => [x.task, x.tool]))}`);
            assert.ok(r.seconds > 0, `${task} (${tool}) was timed`);
            return r;
        };
        for (const tool of ["pulumi-lvs", "ansible"]) {
            for (const task of ["add 1 service", "one weight change, 1 service", "destroy 1 service"]) row(task, tool);
        }
        row("no-op up", "empty stack");
        row("no-op up", "pulumi-lvs");
        // The counts come from the directors' journals: each tool's change ran commands on both directors
        // and reloaded keepalived there; a no-op up of pulumi-lvs runs none.
        for (const tool of ["pulumi-lvs", "ansible"]) {
            const change = row("one weight change, 1 service", tool);
            for (const d of ["dir1", "dir2"]) assert.ok(change.directors![d]!.commands > 0 && change.directors![d]!.reloads > 0, `${tool}'s weight change on ${d}: ${JSON.stringify(change.directors)}`);
        }
        assert.deepEqual(Object.values(row("no-op up", "pulumi-lvs").directors!).map((c) => c.commands), [0, 0]);
        assert.ok(report.sameIpvsTable, `both tools loaded the same IPVS table: ${JSON.stringify(report.ipvsTables, null, 2)}`);
        assert.ok(report.preview && report.preview.peakMiB > 0, "the preview was measured");
        assert.match(res.stdout, /\| task \| pulumi-lvs s \|/);
        assert.match(res.stdout, /targets:/);
        assert.deepEqual(hostState(), before);
    });
});
