// Automatic rollback, proven with faults injected on a lab director (issue 6). dr.test runs these steps on
// its deployed pair (one deploy serves both). For each fault, `pulumi up` fails saying what failed and that
// the previous config was restored (or that nothing was changed), the directors' files are byte-for-byte
// as before, a client loop through the VIP sees no failed request, and the next `pulumi up` with a good
// config succeeds.
import { strict as assert } from "assert";
import { onHost, sh, startHttpLoop } from "../../lab/helpers";
import { failureReports, type LabStack } from "./labStack";

const URL = "http://10.201.0.100/";
const DIRECTORS = ["dir1", "dir2"];
/** The backup director gets every change first: a fault there must stop the change before the master. */
const FAULTY = "dir2";
const snapshot = (h: string) => sh(h, "cd /etc/keepalived && sha256sum keepalived.conf pulumi-lvs/auth.conf pulumi-lvs/services/*.conf");

export interface Fault {
    name: string;
    inject: string;
    remove: string;
    /** The config change the failing `up` tries. */
    change: [string, string];
    message: RegExp;
}

export const faults: Fault[] = [
    {
        name: "keepalived rejects the new config (keepalived -t fails)",
        inject: `printf '#!/bin/sh\\ncase " $* " in *" -t "*) echo "(injected) Unknown keyword" >&2; exit 5;; esac\\nexec /usr/sbin/keepalived "$@"\\n' > /usr/local/sbin/keepalived && chmod +x /usr/local/sbin/keepalived`,
        remove: "rm -f /usr/local/sbin/keepalived",
        change: ["weights.rs1", "4"],
        message: /keepalived rejected the new \/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-201-0-100_80\.conf \(keepalived -t\); nothing was changed/,
    },
    {
        name: "the reload fails",
        inject: "mkdir -p /etc/systemd/system/keepalived.service.d && printf '[Service]\\nExecReload=\\nExecReload=/bin/false\\n' > /etc/systemd/system/keepalived.service.d/zz-fault.conf && systemctl daemon-reload",
        remove: "rm -f /etc/systemd/system/keepalived.service.d/zz-fault.conf && systemctl daemon-reload",
        change: ["weights.rs1", "4"],
        message: /reloading keepalived failed .*; the previous \/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-201-0-100_80\.conf was restored/,
    },
    {
        name: "verification fails after the swap (scheduler twos is not in this kernel)",
        inject: "true",
        remove: "true",
        change: ["scheduler", "twos"],
        message: /after the reload the IPVS service -t 10\.201\.0\.100:80 is .*wrr.*, not using scheduler twos; the previous \/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-201-0-100_80\.conf was restored/,
    },
    {
        name: "staging fails (the config folder is not writable)",
        inject: "chattr +i /etc/keepalived/pulumi-lvs",
        remove: "chattr -i /etc/keepalived/pulumi-lvs",
        change: ["weights.rs1", "4"],
        message: /cannot stage the new \/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-201-0-100_80\.conf .*nothing was changed/,
    },
];

/** Takes every fault off the faulty director; never throws (for after() hooks, before the stack's destroy). */
export function removeFaults(): void {
    try {
        for (const f of faults) onHost(FAULTY, `${f.remove} 2>/dev/null || true`);
    } catch {
        // The host does not answer (ssh failed or timed out): the destroy that follows still runs.
    }
}

/**
 * One fault against a deployed examples/lab-dr stack (wrr, the VIP's port 80 service), whose rs1 weight
 * is `rs1Weight`: the failing up, then the good config back (`rs1Weight`, wrr) and an up that succeeds.
 */
export async function proveRollback(lab: LabStack, fault: Fault, rs1Weight: number): Promise<void> {
    const before = DIRECTORS.map(snapshot);
    const loop = startHttpLoop(URL);
    sh(FAULTY, fault.inject);
    let failed;
    try {
        lab.config(fault.change[0], fault.change[1], true);
        failed = lab.run(["up", "--yes", "--skip-preview"]);
    } finally {
        sh(FAULTY, fault.remove);
    }
    const traffic = await loop.stop();
    assert.notEqual(failed.code, 0, "pulumi up must fail");
    assert.match(failed.output, fault.message);
    // What the user reads first: the provider's "running <command>:" (a few short lines, not the
    // script), then the script's own FAILED line.
    const reports = failureReports(failed.output);
    assert.ok(reports.length > 0, "the provider reported the failed command");
    for (const r of reports) {
        assert.match(r.output.split("\n")[0]!, /^pulumi-lvs\[dir2\]: FAILED: /, `the report leads with the FAILED line:\n${r.output}`);
        assert.ok(r.command.length < 600 && r.output.length < 2000, `the report is short (command ${r.command.length}, output ${r.output.length} characters)`);
    }
    assert.deepEqual(DIRECTORS.map(snapshot), before, "every keepalived file is byte-for-byte as before");
    assert.equal(traffic.failures, 0, `failed requests during the fault: ${JSON.stringify(traffic)}`);
    console.log(`      requests during the fault: ${traffic.sent}, failed: ${traffic.failures}`);
    // Back to a good config: the next up succeeds.
    lab.config("scheduler", "wrr");
    lab.config("weights.rs1", String(rs1Weight), true);
    lab.up();
    assert.match(sh("dir1", "ipvsadm -Ln"), /10\.201\.0\.100:80 wrr/);
}
