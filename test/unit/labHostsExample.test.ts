// examples/lab-hosts without the lab: the program under Pulumi mocks (the "lab" command's output as
// lab-hosts.sh prints it, test/helpers/labHostsMocks.ts), and lab-hosts.sh itself against a stand-in
// lab/lab.sh that records what it is asked. test/e2e/labHosts.test.ts runs both for real on a lab.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockHostKey } from "../helpers/cloudMocks";
import { LAB_HOSTS, LAB_KEY } from "../helpers/labHostsMocks";
import { graph, isSecret, pemBody, plaintextSecrets, runExample, unwrap, type Graph, type Run } from "../helpers/mockedProgram";

const root = path.resolve(__dirname, "..", "..");
const PASSWORD = "lhPw1234";

describe("examples/lab-hosts under Pulumi mocks", function () {
    this.timeout(120_000);
    let run: Run;
    let g: Graph;
    before(() => {
        run = runExample("lab-hosts", { "project:vrrpPassword": PASSWORD, "project:labName": "e2ehosts", "project:keepLab": "true" }, "labHostsMocks");
        g = graph(run);
    });

    it("the hosts are one command.local.Command: `lab up` on create and `lab down` on delete, in this clone, for the configured lab", () => {
        const lab = g.of("command:local:Command", "lab");
        assert.equal(lab.inputs.create, "bash examples/lab-hosts/lab-hosts.sh up");
        assert.equal(lab.inputs.delete, "bash examples/lab-hosts/lab-hosts.sh down");
        assert.equal(lab.inputs.dir, root);
        assert.deepEqual(lab.inputs.environment, { LAB_NAME: "e2ehosts", KEEP_LAB: "true" });
        assert.deepEqual(lab.inputs.triggers, ["e2ehosts", root], "another lab (or clone) replaces the command");
        const exported = run.outputs.find((o) => o.urn === "stack exports")!.outputs;
        assert.equal(exported.labUsed, "e2ehosts");
        assert.deepEqual(exported.hostKeys, Object.fromEntries(["dir1", "dir2", "rs1", "rs2"].map((n) => [n, mockHostKey(n)])));
    });

    it("configures each host at the SSH endpoint the command printed, pinned to the host key it printed, with the lab's key as a secret; nothing runs before the hosts exist", () => {
        const lab = g.of("command:local:Command", "lab");
        const commands = run.resources.filter((r) => r.type === "command:remote:Command");
        assert.ok(commands.length > 15);
        for (const c of commands) {
            const host = /^hosts-(lb|web)-primary/.test(c.name) ? "dir1" : /^hosts-(lb|web)-secondary/.test(c.name) ? "dir2" : /^hosts-(rs\d)-/.exec(c.name)![1]!;
            assert.ok(isSecret(c.inputs.connection), `${c.name}: its connection is a secret (the lab's key)`);
            const conn = unwrap(c.inputs.connection);
            assert.deepEqual({ host: conn.host, port: conn.port, user: conn.user, hostKey: conn.hostKey, privateKey: conn.privateKey },
                { host: "127.0.0.1", port: LAB_HOSTS[host]![0], user: "root", hostKey: mockHostKey(host), privateKey: LAB_KEY }, `${c.name} runs on ${host}`);
            assert.ok(g.closure(c).has(lab.urn), `${c.name} waits for the lab's hosts`);
        }
        const web = g.of("pulumi-lvs:index:VirtualService", "hosts-web");
        for (const rs of ["hosts-rs1", "hosts-rs2"]) {
            for (const c of g.childrenOf(g.of("pulumi-lvs:index:RealServer", rs))) assert.ok(web.dependencies.includes(c.urn), `the service waits for ${c.name}`);
        }
    });

    it("takes the unicast peers and the RIPs from the hosts' front addresses the command printed", () => {
        for (const [role, self, peer] of [["primary", "dir1", "dir2"], ["secondary", "dir2", "dir1"]] as const) {
            const conf = unwrap(g.of("command:remote:Command", `hosts-lb-${role}-keepalived`).inputs.stdin) as string;
            assert.match(conf, new RegExp(`\\n    unicast_src_ip ${LAB_HOSTS[self]![1]}\\n    unicast_peer \\{\\n        ${LAB_HOSTS[peer]![1]}\\n    \\}\\n`));
        }
        const service = unwrap(g.of("command:remote:Command", "hosts-web-primary").inputs.stdin) as string;
        assert.deepEqual([...service.matchAll(/real_server (\S+) 80 /g)].map((m) => m[1]).sort(), [LAB_HOSTS.rs1![1], LAB_HOSTS.rs2![1]]);
    });

    it("leaves neither the lab's SSH key nor the VRRP password in plaintext", () => {
        assert.deepEqual(plaintextSecrets(run, [PASSWORD, ...pemBody(LAB_KEY)]), []);
    });
});

/** A clone whose lab/lab.sh stands in for the lab: it records each call, "runs" while a state file exists. */
function standIn(): { dir: string; calls: () => string[]; running: (on: boolean) => void; run: (verb: string, env: Record<string, string>) => { code: number; stdout: string; stderr: string } } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-labhosts-sh-"));
    fs.mkdirSync(path.join(dir, "lab"));
    fs.writeFileSync(path.join(dir, "lab", "lab.sh"), `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls"
case $1 in
  status) [ -f "${dir}/running" ] || { echo "[]"; exit 1; }
          echo '[{"name": "dir1", "role": "director", "ssh": {"host": "127.0.0.1", "port": 24117, "user": "root", "privateKeyPath": "/k"}, "addresses": []},'
          echo ' {"name": "rs1", "role": "real", "ssh": {"host": "127.0.0.1", "port": 24121, "user": "root", "privateKeyPath": "/k"}, "addresses": []}]' ;;
  up) touch "${dir}/running"; echo "[lab] lab up in 1 s" >&2 ;;
  down) rm -f "${dir}/running"; echo "[lab] lab is down" >&2 ;;
  ssh) [ "$2" = "\${FAIL_SSH:-}" ] && exit 255; echo "ssh-ed25519 AAAAkeyof$2 root@$2" ;;
esac
`);
    return {
        dir,
        calls: () => (fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : []),
        running: (on) => (on ? fs.writeFileSync(path.join(dir, "running"), "") : fs.rmSync(path.join(dir, "running"), { force: true })),
        run: (verb, env) => {
            fs.rmSync(path.join(dir, "calls"), { force: true });
            const res = spawnSync("bash", [path.join(root, "examples", "lab-hosts", "lab-hosts.sh"), verb], { cwd: dir, encoding: "utf8", env: { ...process.env, LAB_NAME: "e2ehosts", ...env } });
            return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
        },
    };
}

describe("examples/lab-hosts/lab-hosts.sh (against a stand-in lab)", () => {
    let lab: ReturnType<typeof standIn>;
    beforeEach(() => { lab = standIn(); });
    afterEach(() => fs.rmSync(lab.dir, { recursive: true, force: true }));
    /** What a previous run printed (the provider passes it as PULUMI_COMMAND_STDOUT). */
    const previous = (startedByStack: boolean) => JSON.stringify({ lab: "e2ehosts", startedByStack, hosts: [] }, null, 1);

    it("up boots a lab that is not running, prints its hosts with their host keys, and records that this stack started it", () => {
        const res = lab.run("up", {});
        assert.equal(res.code, 0, res.stderr);
        assert.deepEqual(lab.calls(), ["status --json", "up", "status --json", "ssh dir1 -- cat /etc/ssh/ssh_host_ed25519_key.pub", "ssh rs1 -- cat /etc/ssh/ssh_host_ed25519_key.pub"]);
        const out = JSON.parse(res.stdout);
        assert.equal(out.lab, "e2ehosts");
        assert.equal(out.startedByStack, true);
        assert.deepEqual(out.hosts.map((h: { name: string; hostKey: string; ssh: { port: number } }) => [h.name, h.ssh.port, h.hostKey]),
            [["dir1", 24117, "ssh-ed25519 AAAAkeyofdir1"], ["rs1", 24121, "ssh-ed25519 AAAAkeyofrs1"]]);
        assert.match(res.stderr, /booting lab e2ehosts[\s\S]*lab up in 1 s/);
    });

    it("up on a lab that was already running leaves it as it is and records it as someone else's; an update of a stack that started it keeps it its own", () => {
        lab.running(true);
        const res = lab.run("up", {});
        assert.equal(res.code, 0, res.stderr);
        assert.ok(!lab.calls().includes("up"));
        assert.equal(JSON.parse(res.stdout).startedByStack, false);
        assert.match(res.stderr, /not started by this stack: destroy leaves it up/);
        // An update (e.g. keepLab changed): the provider passes the previous stdout.
        const again = lab.run("up", { PULUMI_COMMAND_STDOUT: previous(true) });
        assert.equal(JSON.parse(again.stdout).startedByStack, true);
        assert.ok(!lab.calls().includes("up"));
    });

    it("down stops only a lab this stack started, and not with KEEP_LAB=true", () => {
        lab.running(true);
        assert.equal(lab.run("down", { PULUMI_COMMAND_STDOUT: previous(true) }).code, 0);
        assert.deepEqual(lab.calls(), ["down"]);
        lab.running(true);
        const kept = lab.run("down", { PULUMI_COMMAND_STDOUT: previous(true), KEEP_LAB: "true" });
        assert.deepEqual([kept.code, lab.calls()], [0, []]);
        assert.match(kept.stderr, /keepLab is true: lab e2ehosts stays up/);
        const theirs = lab.run("down", { PULUMI_COMMAND_STDOUT: previous(false) });
        assert.deepEqual([theirs.code, lab.calls()], [0, []]);
        assert.match(theirs.stderr, /was up before this stack: it stays up/);
        // What the stack started was another lab: this one is not its to stop.
        const other = lab.run("down", { PULUMI_COMMAND_STDOUT: previous(true).replace('"e2ehosts"', '"other"') });
        assert.deepEqual([other.code, lab.calls()], [0, []]);
    });

    it("fails, saying why, outside a clone or when a host key cannot be read", () => {
        const res = spawnSync("bash", [path.join(root, "examples", "lab-hosts", "lab-hosts.sh"), "up"], { cwd: os.tmpdir(), encoding: "utf8" });
        assert.equal(res.status, 1);
        assert.match(res.stderr, /is not a pulumi-lvs clone \(no lab\/lab\.sh\)/);
        const noKey = lab.run("up", { FAIL_SSH: "rs1" });
        assert.equal(noKey.code, 1);
        assert.match(noKey.stderr, /cannot read the host key of rs1/);
        assert.equal(noKey.stdout, "");
    });
});
