// SSH faults and host-key pinning, with the real CLI against a lab host (examples are too big to
// need here: one DR RealServer is enough to have files, units and sysctls written over SSH).
import { strict as assert } from "assert";
import * as net from "net";
import * as path from "path";
import { onHostAsync, sh } from "../../lab/helpers";
import { LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "test", "fixtures", "one-host");
const UNIT = "/etc/systemd/system/pulumi-lvs-vip-one.service";
const vipsOn = (host: string) => sh(host, "ip -o addr show dev lo").match(/10\.201\.0\.19[89]\/32/g)?.sort() ?? [];

/** A loopback port with nothing listening: a host that is down. */
async function closedPort(): Promise<number> {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    return port;
}

describe("SSH faults and host-key pinning", function () {
    this.timeout(600_000);
    const stack = `e2e-ssh-${process.pid}`;
    let lab: LabStack;

    before(() => {
        lab = LabStack.create(program, stack, { target: "rs1" });
    });

    after(() => {
        for (const key of ["port", "hostKey", "dialErrorLimit", "perDialTimeout"]) lab?.run(["config", "rm", key]);
        lab?.remove();
    });

    it("hostKey pinning: a wrong key stops at once, naming the host and both keys, before anything runs; the right key works", () => {
        const wrong = sh("rs2", "cat /etc/ssh/ssh_host_ed25519_key.pub").trim().split(" ").slice(0, 2).join(" ");
        const right = sh("rs1", "cat /etc/ssh/ssh_host_ed25519_key.pub").trim().split(" ").slice(0, 2).join(" ");
        lab.config("hostKey", wrong);
        const t0 = Date.now();
        const res = lab.run(["up", "--yes", "--skip-preview"]);
        const seconds = (Date.now() - t0) / 1000;
        assert.notEqual(res.code, 0);
        assert.match(res.output, /RealServer "one": connection: the host key of root@127\.0\.0\.1:\d+ does not match the pinned hostKey: the host presented ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}, the pinned key is ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\. Nothing was run on it\./);
        // The provider alone would retry the dial 10 times before saying "ssh: host key mismatch".
        assert.doesNotMatch(res.output, /Dial \d+\/\d+ failed|host key mismatch/);
        assert.deepEqual(vipsOn("rs1"), [], "nothing ran on the host");
        lab.config("hostKey", right);
        lab.up();
        assert.deepEqual(vipsOn("rs1"), ["10.201.0.198/32", "10.201.0.199/32"]);
        console.log(`      hostKey: wrong key refused after ${seconds.toFixed(1)} s before any command, right key accepted`);
    });

    it("a host that is down fails with its address, within dialErrorLimit x perDialTimeout, pinned or not", async () => {
        lab.config("port", String(await closedPort()));
        lab.config("dialErrorLimit", "3");
        lab.config("perDialTimeout", "2");
        const limit = 3 * 2 + 3 + 15;
        try {
            // Pinned (hostKey is still set): pulumi-lvs's check is the first to dial.
            let t0 = Date.now();
            let res = lab.run(["up", "--yes", "--skip-preview"]);
            let seconds = (Date.now() - t0) / 1000;
            assert.notEqual(res.code, 0);
            assert.match(res.output, /RealServer "one": connection: cannot check the host key of root@127\.0\.0\.1:\d+: no SSH handshake after 3 attempt\(s\): connect ECONNREFUSED/);
            assert.ok(seconds < limit, `failed after ${seconds.toFixed(1)} s`);
            console.log(`      host down, key pinned: clear error naming the host after ${seconds.toFixed(1)} s`);
            // Not pinned: the command provider dials, and says so in its own words.
            lab.ok(["config", "rm", "hostKey"]);
            t0 = Date.now();
            res = lab.run(["up", "--yes", "--skip-preview"]);
            seconds = (Date.now() - t0) / 1000;
            assert.notEqual(res.code, 0);
            assert.match(res.output, /error: after 3 failed attempts: dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
            assert.ok(seconds < limit, `failed after ${seconds.toFixed(1)} s`);
            console.log(`      host down, not pinned: the provider's error names the address after ${seconds.toFixed(1)} s (3 attempts, 2 s each)`);
        } finally {
            for (const key of ["port", "dialErrorLimit", "perDialTimeout"]) lab.run(["config", "rm", key]);
        }
    });

    it("connections cut mid-apply: the next up converges, and no half-written file is left", async () => {
        lab.ok(["destroy", "--yes", "--skip-preview"]);
        // Until the first up ends, every pulumi-lvs script that starts on rs1 is killed together with its
        // SSH session (the script's parent): the connection drops mid-apply. "[S]TATE_DIR=" never matches
        // this loop itself.
        sh("rs1", "rm -f /tmp/stop-cutting");
        const killer = onHostAsync("rs1", "end=$(( $(date +%s) + 120 )); n=0; while [ ! -f /tmp/stop-cutting ] && [ $(date +%s) -lt $end ]; do " +
            "for p in $(pgrep -f '[S]TATE_DIR='); do kill -KILL $(ps -o ppid= -p $p) $p 2>/dev/null && n=$((n+1)); done; sleep 0.02; done; echo $n");
        await new Promise((r) => setTimeout(r, 500));
        const first = lab.run(["up", "--yes", "--skip-preview"]);
        sh("rs1", "touch /tmp/stop-cutting");
        const killed = Number((await killer).stdout.trim() || "0");
        sh("rs1", "rm -f /tmp/stop-cutting");
        const second = lab.run(["up", "--yes", "--skip-preview"]);
        assert.equal(second.code, 0, second.output);
        assert.deepEqual(vipsOn("rs1"), ["10.201.0.198/32", "10.201.0.199/32"], "converged");
        assert.ok(killed > 0, "at least one session was cut mid-apply");
        assert.notEqual(first.code, 0, "the first up failed on the cut connection");
        assert.match(sh("rs1", `cat ${UNIT}`), /ExecStart=\/sbin\/ip addr replace 10\.201\.0\.198\/32 dev lo/);
        assert.equal(sh("rs1", "ls /etc/systemd/system/*.pulumi-lvs-new /etc/sysctl.d/*.pulumi-lvs-new 2>/dev/null || true").trim(), "", "no half-written file in place");
        assert.equal(sh("rs1", "sysctl -n net.ipv4.conf.all.arp_ignore").trim(), "1");
        const why = first.output.split("\n").find((l) => /error: /.test(l))?.trim() ?? "";
        console.log(`      first up: exit ${first.code} after ${killed} session(s) cut mid-apply (${why.slice(0, 160)}); second up converged`);
    });
});
