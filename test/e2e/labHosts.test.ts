// examples/lab-hosts for real: the hosts are Pulumi resources. On a lab of its own (LAB_NAME e2ehosts,
// never the suite's "test" lab nor the demo's "main"), which must not be running before: one `pulumi up`
// boots it (the "lab" command.local.Command) and configures its hosts from that command's Outputs, each
// connection pinned to the host key the command reported; traffic goes through the VIP; a second preview
// is empty; destroy removes the configuration from the hosts, then stops the lab, which this stack started.
// Cost: one lab boot (seconds on the uml route, about a minute or two on qemu) and one small deploy
// (two directors, two real servers, one service).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const LAB = "e2ehosts";
const program = path.join(repoRoot, "examples", "lab-hosts");
const labScript = path.join(repoRoot, "lab", "lab.sh");
const VIP = "10.201.0.110";
const HOSTS = ["dir1", "dir2", "rs1", "rs2"];
const env = { ...process.env, LAB_NAME: LAB };

interface LabHost { name: string; addresses: { segment: string; address: string }[] }

/** This test's lab (lab/helpers.ts speaks to the suite's lab, LAB_NAME=test). */
function labVerb(...args: string[]) {
    return spawnSync("bash", [labScript, ...args], { env, encoding: "utf8", timeout: 600_000 });
}
const labStatus = (): LabHost[] | undefined => {
    const res = labVerb("status", "--json");
    return res.status === 0 ? (JSON.parse(res.stdout) as LabHost[]) : undefined;
};
/** A command on a host of this test's lab, as root; throws unless it succeeds. */
function inLab(host: string, command: string): string {
    const res = spawnSync("bash", [labScript, "ssh", host, "--", command], { env, encoding: "utf8", timeout: 120_000 });
    if (res.status !== 0) throw new Error(`${host} (lab ${LAB}): \`${command}\` exited ${res.status}: ${res.stderr || res.stdout}`);
    return res.stdout;
}
const front = (hosts: LabHost[], name: string) => hosts.find((h) => h.name === name)!.addresses.find((a) => a.segment === "front" && !a.address.includes(":"))!.address;

describe(`examples/lab-hosts: one up boots the lab's hosts (lab ${LAB}) and configures them from their Outputs`, function () {
    this.timeout(900_000);
    const stackName = `e2e-hosts-${process.pid}`;
    const labUrn = `urn:pulumi:${stackName}::lvs-lab-hosts::command:local:Command::lab`;
    let stack: LabStack;

    before(() => {
        // Left over by a run that died: this test's own lab, by its name.
        if (labStatus()) {
            console.log(`      lab ${LAB} was up (left by an earlier run): stopping it first`);
            labVerb("down");
        }
        stack = LabStack.init(program, stackName, { labName: LAB }, { vrrpPassword: "e2eHost1" });
    });

    after(() => {
        stack?.remove();
        if (labStatus()) labVerb("down");
    });

    it("1. up boots the hosts, then configures them from the command's Outputs: endpoints, addresses and the host keys they are pinned to", () => {
        assert.equal(labStatus(), undefined, `lab ${LAB} is not running before up`);
        const started = Date.now();
        stack.up();
        console.log(`      up (boot + configure): ${Math.round((Date.now() - started) / 1000)} s`);
        const hosts = labStatus();
        assert.ok(hosts, `lab ${LAB} runs after up`);
        const out = JSON.parse(stack.ok(["stack", "output", "--json"]).stdout) as { labUsed: string; startedByStack: boolean; hostKeys: Record<string, string> };
        assert.equal(out.labUsed, LAB);
        assert.equal(out.startedByStack, true, "the stack records that it started the lab");
        for (const h of HOSTS) {
            const presented = inLab(h, "cat /etc/ssh/ssh_host_ed25519_key.pub").trim().split(" ").slice(0, 2).join(" ");
            assert.equal(out.hostKeys[h], presented, `${h}: pinned to the key its sshd presents`);
        }
        const table = inLab("dir1", "ipvsadm-save -n");
        assert.match(table, new RegExp(`-A -t ${VIP}:80 -s rr`));
        for (const rs of ["rs1", "rs2"]) {
            assert.match(table, new RegExp(`-a -t ${VIP}:80 -r ${front(hosts, rs)}:80 -g -w 1\\b`), `${rs} in the service at its front address`);
            assert.ok(inLab(rs, "ip -o addr show dev lo").includes(` ${VIP}/32 `), `${rs}: the VIP on lo`);
        }
        assert.ok(inLab("dir1", "ip -o addr show dev eth0").includes(` ${VIP}/`), "the VIP is on the primary");
        assert.ok(!inLab("dir2", "ip -o addr show dev eth0").includes(` ${VIP}/`), "and not on the secondary");
        const conf = inLab("dir1", "cat /etc/keepalived/keepalived.conf");
        assert.match(conf, new RegExp(`unicast_src_ip ${front(hosts, "dir1")}\\n\\s+unicast_peer \\{\\n\\s+${front(hosts, "dir2")}\\n`), "unicast between the addresses the command reported");
    });

    it("2. traffic through the VIP reaches both real servers", () => {
        const res = JSON.parse(inLab("client", `lab-client http http://${VIP}/ --count 20 --timeout 2`)) as { answers: Record<string, number>; failures: number };
        assert.equal(res.failures, 0, JSON.stringify(res));
        assert.deepEqual(Object.keys(res.answers).sort(), ["rs1", "rs2"], JSON.stringify(res));
        console.log(`      answers: ${JSON.stringify(res.answers)}`);
    });

    it("3. a second preview has nothing to do: the hosts' command is not run again", () => {
        stack.ok(["preview", "--expect-no-changes"]);
    });

    it("4. destroy removes the configuration from the hosts, then stops the lab this stack started", () => {
        // The components first, the hosts' command kept, so the hosts can be looked at.
        stack.ok(["destroy", "--yes", "--skip-preview", "--exclude", labUrn]);
        assert.ok(labStatus(), "the lab is still up while its command is in the stack");
        for (const d of ["dir1", "dir2"]) {
            assert.equal(inLab(d, "ipvsadm-save -n 2>/dev/null || true").trim(), "", `${d}: IPVS table empty`);
            assert.equal(inLab(d, "ls /etc/keepalived/keepalived.conf /etc/keepalived/pulumi-lvs /etc/sysctl.d/90-pulumi-lvs-* 2>/dev/null || true").trim(), "", `${d}: no file of pulumi-lvs is left`);
        }
        for (const rs of ["rs1", "rs2"]) assert.equal(inLab(rs, "ls /etc/systemd/system/pulumi-lvs-* /etc/sysctl.d/90-pulumi-lvs-* 2>/dev/null || true").trim(), "", `${rs}: no file of pulumi-lvs is left`);
        for (const h of HOSTS) assert.ok(!inLab(h, "ip -o addr").includes(` ${VIP}/`), `${h}: the VIP is gone`);
        stack.ok(["destroy", "--yes", "--skip-preview"]);
        assert.equal(labStatus(), undefined, `lab ${LAB} is stopped: the stack started it and keepLab is false`);
        const left = JSON.parse(stack.ok(["stack", "export"]).stdout).deployment.resources ?? [];
        assert.deepEqual(left.filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")), []);
    });
});
