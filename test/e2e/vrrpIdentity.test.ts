// A change of the pair's VRRP identity (router id and password) on a deployed pair, under a request loop
// (issue 14 item 9): the secondary is held (keepalived stopped) while the primary changes, then released.
// Both directors are sampled many times a second during each `up`: the VIP is never on both. A primary
// whose step fails leaves the secondary held, without the VIP, and traffic on the primary; the error names
// the held secondary, and the next good `up` releases it. (examples/lab-dr, the real Pulumi CLI.)
import { strict as assert } from "assert";
import * as path from "path";
import { onHost, onHostAsync, sh, startHttpLoop, type Run } from "../../lab/helpers";
import { failureReports, LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "examples", "lab-dr");
const URL = "http://10.201.0.100/";
const VIP = "10.201.0.100";
const DIRECTORS = ["dir1", "dir2"] as const;
const HOLD = "/var/lib/pulumi-lvs/vrrp-hold";
const hasVip = (host: string) => sh(host, "ip -o addr show dev eth0").includes(` ${VIP}/`);
const keepalivedState = (host: string) => onHost(host, "systemctl is-active keepalived").stdout.trim();
const held = (host: string) => onHost(host, `test -f ${HOLD}`).code === 0;

/**
 * Samples whether each director holds the VIP, every 20 ms, until stop(): "<epoch seconds> <0|1>" lines
 * (the lab's hosts share the machine's clock).
 */
function sampleVip(): { stop(): Promise<Record<string, Array<[number, boolean]>>> } {
    const flag = `/tmp/lab-vip-sampler-${process.pid}-${Date.now()}`;
    const runs = DIRECTORS.map((d) => {
        sh(d, `rm -f ${flag}`);
        return onHostAsync(d, `while [ ! -f ${flag} ]; do case "$(ip -o addr show dev eth0)" in *" ${VIP}/"*) v=1;; *) v=0;; esac; echo "$(date +%s.%N) $v"; sleep 0.02; done`);
    });
    return {
        async stop() {
            for (const d of DIRECTORS) sh(d, `touch ${flag}`);
            const done: Run[] = await Promise.all(runs);
            for (const d of DIRECTORS) sh(d, `rm -f ${flag}`);
            const samples: Record<string, Array<[number, boolean]>> = {};
            DIRECTORS.forEach((d, i) => {
                samples[d] = done[i]!.stdout.trim().split("\n").filter(Boolean).map((l) => {
                    const [t, v] = l.split(" ");
                    return [Number(t), v === "1"] as [number, boolean];
                });
            });
            return samples;
        },
    };
}

/** The times at which dir2 had the VIP while dir1 had it at its samples just before and just after. */
function bothHeld(samples: Record<string, Array<[number, boolean]>>): number[] {
    const one = samples.dir1!;
    return samples.dir2!.filter(([t, v]) => {
        if (!v) return false;
        const before = [...one].reverse().find(([u]) => u <= t);
        const after = one.find(([u]) => u >= t);
        return (before?.[1] ?? false) && (after?.[1] ?? false);
    }).map(([t]) => t);
}

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (check()) return true;
        await new Promise((r) => setTimeout(r, 500));
    }
    return check();
}

describe("VRRP identity changes without split brain (the secondary held, then released)", function () {
    this.timeout(900_000);
    let lab: LabStack;

    before(() => {
        lab = LabStack.create(program, `e2e-vrrp-identity-${process.pid}`, { virtualRouterId: "51" }, { vrrpPassword: "vrrpid01" });
        lab.up();
    });

    after(() => {
        onHost("dir1", "chattr -i /etc/keepalived/pulumi-lvs 2>/dev/null; true");
        lab?.remove();
    });

    it("1. a new router id and password: the VIP is never on both directors, no request fails, one MASTER after", async () => {
        assert.ok(await waitFor(() => hasVip("dir1") && !hasVip("dir2")), "the VIP starts on dir1 only");
        lab.config("virtualRouterId", "52");
        lab.secret("vrrpPassword", "vrrpid02");
        const loop = startHttpLoop(URL);
        const sampler = sampleVip();
        const up = lab.up();
        const samples = await sampler.stop();
        const traffic = await loop.stop();
        assert.match(up.output, /held: keepalived stopped on this \(secondary\) director/, "the secondary was held");
        assert.match(up.output, /released: keepalived runs again on this \(secondary\) director, as BACKUP/, "and released");
        assert.ok(samples.dir1!.length > 100 && samples.dir2!.length > 100, `sampled many times (${samples.dir1!.length}, ${samples.dir2!.length})`);
        assert.deepEqual(bothHeld(samples), [], "the VIP was never on both directors");
        assert.ok(!samples.dir2!.some(([, v]) => v), "the secondary never took the VIP");
        assert.equal(traffic.failures, 0, `failed requests: ${JSON.stringify(traffic)}`);
        console.log(`      requests: ${traffic.sent}, failed: ${traffic.failures}, longest gap ${traffic.longest_gap.toFixed(2)} s; samples ${samples.dir1!.length} + ${samples.dir2!.length}`);
        // Exactly one MASTER, and the two hear each other with the new settings.
        await new Promise((r) => setTimeout(r, 6000));
        assert.ok(hasVip("dir1") && !hasVip("dir2"), "the VIP on dir1 only");
        assert.equal(keepalivedState("dir2"), "active");
        assert.ok(!held("dir2"), "the hold is gone");
        assert.match(sh("dir2", "grep -h virtual_router_id /etc/keepalived/keepalived.conf"), /virtual_router_id 52/);
        const since = sh("dir2", "systemctl show -p ActiveEnterTimestamp --value keepalived").trim();
        assert.ok(!sh("dir2", `journalctl -u keepalived --since '${since}' -o cat --no-pager`).includes("Entering MASTER STATE"), "dir2 never became MASTER since its release");
        // A converged stack previews as no change: nothing is held again.
        lab.ok(["preview", "--expect-no-changes"]);
    });

    it("2. the primary's step fails: the secondary stays held without the VIP, traffic flows through the primary; the next good up releases it", async () => {
        lab.config("virtualRouterId", "53");
        const loop = startHttpLoop(URL);
        const sampler = sampleVip();
        onHost("dir1", "chattr +i /etc/keepalived/pulumi-lvs");
        let failed;
        try {
            failed = lab.run(["up", "--yes", "--skip-preview"]);
        } finally {
            sh("dir1", "chattr -i /etc/keepalived/pulumi-lvs");
        }
        const samples = await sampler.stop();
        assert.notEqual(failed.code, 0, "pulumi up must fail");
        const reports = failureReports(failed.output);
        assert.ok(reports.some((r) => /^pulumi-lvs\[dir1\]: FAILED: cannot stage the new \/etc\/keepalived\/pulumi-lvs\/auth\.conf/.test(r.output)), failed.output);
        assert.match(failed.output, /the secondary director \(dir2\) is held \(keepalived stopped there\) for this change of the VRRP settings: the pair runs on this director alone/);
        assert.equal(keepalivedState("dir2"), "inactive", "the secondary stays stopped");
        assert.ok(held("dir2"), "and held");
        assert.deepEqual(bothHeld(samples), [], "the VIP was never on both directors");
        assert.ok(!samples.dir2!.some(([, v]) => v), "the secondary never took the VIP");
        assert.ok(hasVip("dir1") && !hasVip("dir2"));
        assert.match(sh("dir1", "grep -h virtual_router_id /etc/keepalived/keepalived.conf"), /virtual_router_id 52/, "the primary kept its old settings");
        // Traffic keeps flowing through the primary while the secondary is held.
        await new Promise((r) => setTimeout(r, 5000));
        const traffic = await loop.stop();
        assert.equal(traffic.failures, 0, `failed requests: ${JSON.stringify(traffic)}`);

        // The next good up releases the secondary.
        const up = lab.up();
        assert.match(up.output, /released: keepalived runs again on this \(secondary\) director, as BACKUP/);
        await new Promise((r) => setTimeout(r, 6000));
        assert.equal(keepalivedState("dir2"), "active");
        assert.ok(!held("dir2"));
        assert.ok(hasVip("dir1") && !hasVip("dir2"), "exactly one MASTER");
        for (const d of DIRECTORS) assert.match(sh(d, "grep -h virtual_router_id /etc/keepalived/keepalived.conf"), /virtual_router_id 53/);
    });
});
