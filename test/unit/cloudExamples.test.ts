// The cloud examples (examples/aws, examples/hetzner) cannot be deployed here, so each runs under Pulumi
// mocks that answer as the cloud would (test/helpers/cloudMocks.ts: every VM its own addresses and host
// key), and these tests hold the program to what a deploy relies on:
// - the resource graph: the VMs, their network, and the components on them;
// - the order VM -> RealServer -> VirtualService, in the dependencies the engine is given;
// - every connection made of one VM's Outputs: its private IP, the host key it was given or printed, the
//   bastion as the jump host; the VRRP unicast peers are the directors' private IPs;
// - no secret (VRRP password, SSH private key, a host's private key) in plaintext in any input or output.
import { strict as assert } from "assert";
import { hostKeyFromConsole } from "../../examples/aws/hostKeys";
import { mockConsole, mockHostKey, mockKeyPair } from "../helpers/cloudMocks";
import type { Registered } from "../helpers/exampleUnderMocks";
import { findSecrets, graph, isSecret, pemBody, plaintextSecrets, runExample, unwrap, type Graph, type Run } from "../helpers/mockedProgram";
const REAL_SERVERS = 3;
const PASSWORD = "vRp4ss9x";
const LOGIN = mockKeyPair("login");
const VM_NAMES = ["bastion", "dir1", "dir2", ...Array.from({ length: REAL_SERVERS }, (_, i) => `rs${i + 1}`)];
/** The config both examples take (the mocks' project is "project"). */
const COMMON = {
    "project:adminCidr": "198.51.100.7/32",
    "project:sshPublicKey": `${LOGIN.publicKey} admin@example`,
    "project:sshPrivateKey": LOGIN.privateKeyPem,
    "project:vrrpPassword": PASSWORD,
    "project:realServers": REAL_SERVERS,
};

/** The VM a component's remote command runs on: "lb-primary-*" and "web-primary*" on dir1, "rs2-*" on rs2. */
function vmOfCommand(name: string): string {
    if (/^(lb|web)-primary/.test(name)) return "dir1";
    if (/^(lb|web)-secondary/.test(name)) return "dir2";
    const rs = /^(rs\d+)-/.exec(name);
    assert.ok(rs, `which VM does ${name} run on?`);
    return rs[1]!;
}

interface Cloud {
    example: string;
    config: Record<string, unknown>;
    vmType: string;
    user: string;
    /** The VM's private IP and public IP, as the mocks gave them. */
    addresses(g: Graph, vm: string): { private: string; public: string };
    /** The resource whose Output the connection's host is (the instance, or the server's network attachment). */
    addressSource(g: Graph, vm: string): Registered;
    mode: "TUN" | "NAT";
}

const CLOUDS: Cloud[] = [
    {
        example: "aws",
        config: { "aws:region": "eu-central-1", ...COMMON },
        vmType: "aws:ec2/instance:Instance",
        user: "admin",
        addresses: (g, vm) => {
            const out = g.of("aws:ec2/instance:Instance", vm).outputs as Record<string, string>;
            return { private: out.privateIp!, public: out.publicIp! };
        },
        addressSource: (g, vm) => g.of("aws:ec2/instance:Instance", vm),
        mode: "TUN",
    },
    {
        example: "hetzner",
        config: COMMON,
        vmType: "hcloud:index/server:Server",
        user: "root",
        addresses: (g, vm) => ({
            private: (g.of("hcloud:index/serverNetwork:ServerNetwork", vm).outputs as Record<string, string>).ip!,
            public: (g.of("hcloud:index/server:Server", vm).outputs as Record<string, string>).ipv4Address!,
        }),
        addressSource: (g, vm) => g.of("hcloud:index/serverNetwork:ServerNetwork", vm),
        mode: "NAT",
    },
];

describe("cloud examples under Pulumi mocks", function () {
    this.timeout(120_000);

    it("the AWS example reads a host key from cloud-init's block on the console: the last block, ed25519, and says which VM has none", () => {
        const text = mockConsole("dir1", "10.0.1.53");
        assert.equal(hostKeyFromConsole(text, "dir1"), mockHostKey("dir1"));
        // After a reboot the console holds two blocks: the newest is the host's key now.
        assert.equal(hostKeyFromConsole(`${mockConsole("old", "10.0.1.53")}${text}`, "dir1"), mockHostKey("dir1"));
        assert.equal(hostKeyFromConsole(text.replace(/^ssh-ed25519 /m, "ec2: ssh-ed25519 "), "dir1"), mockHostKey("dir1"));
        assert.throws(() => hostKeyFromConsole("[    0.000000] Linux version 6.1.0\n", "rs2 (instance console)"), /^Error: rs2 \(instance console\): no "-----BEGIN SSH HOST KEY KEYS-----" block on the console$/);
        assert.throws(() => hostKeyFromConsole(text.replace(/^ssh-ed25519 .*$/m, ""), "rs2"), /rs2: the console's host key block has no ssh-ed25519 key/);
    });

    for (const cloud of CLOUDS) {
        describe(`examples/${cloud.example}`, () => {
            let run: Run;
            let g: Graph;
            before(() => {
                run = runExample(cloud.example, cloud.config, "cloudMocks");
                g = graph(run);
            });

            it(`creates a bastion, two directors and ${REAL_SERVERS} real servers, each at addresses of its own, and the components on them`, () => {
                assert.deepEqual(g.names(cloud.vmType), [...VM_NAMES].sort());
                const privateIps = VM_NAMES.map((vm) => cloud.addresses(g, vm).private);
                assert.equal(new Set(privateIps).size, VM_NAMES.length, `distinct private IPs: ${privateIps.join(" ")}`);
                assert.match(cloud.addresses(g, "bastion").public, /^\d+\.\d+\.\d+\.\d+$/, "the bastion has a public IPv4");
                assert.deepEqual(g.names("pulumi-lvs:index:LvsDirectorPair"), ["lb"]);
                assert.deepEqual(g.names("pulumi-lvs:index:RealServer"), VM_NAMES.filter((n) => n.startsWith("rs")));
                assert.deepEqual(g.names("pulumi-lvs:index:VirtualService"), ["web"]);
            });

            it("orders VM -> RealServer -> VirtualService: each RealServer's commands wait for its VM, the service for every RealServer", () => {
                const web = g.of("pulumi-lvs:index:VirtualService", "web");
                for (const rsName of VM_NAMES.filter((n) => n.startsWith("rs"))) {
                    const rs = g.of("pulumi-lvs:index:RealServer", rsName);
                    const commands = g.childrenOf(rs);
                    assert.deepEqual(commands.map((c) => c.name).sort(), [`${rsName}-sysctls`, `${rsName}-vips`]);
                    for (const c of commands) {
                        assert.ok(c.dependencies.includes(cloud.addressSource(g, rsName).urn), `${c.name} depends on ${rsName}'s address`);
                        assert.ok(g.closure(c).has(g.of(cloud.vmType, rsName).urn), `${c.name} waits for the VM ${rsName}`);
                        const others = VM_NAMES.filter((n) => n !== rsName && n !== "bastion").map((n) => g.of(cloud.vmType, n).urn);
                        assert.deepEqual(others.filter((u) => g.closure(c).has(u)), [], `${c.name} waits for no other VM than ${rsName} (and the bastion)`);
                        assert.ok(web.dependencies.includes(c.urn), `the VirtualService depends on ${c.name}`);
                    }
                }
                // The service's own commands are its children: they are registered only once it is, after its dependencies.
                assert.deepEqual(g.childrenOf(web).map((c) => c.name).filter((n) => !n.endsWith("-nat")).sort(), ["web-primary", "web-secondary"]);
                for (const role of ["primary", "secondary"]) {
                    const keepalived = g.of("command:remote:Command", `lb-${role}-keepalived`);
                    assert.ok(g.closure(keepalived).has(g.of(cloud.vmType, role === "primary" ? "dir1" : "dir2").urn), `lb-${role}-keepalived waits for its VM`);
                    assert.ok(g.of("command:remote:Command", `web-${role}`).dependencies.includes(keepalived.urn), `web-${role} waits for keepalived on its director`);
                }
            });

            it("connects to each VM at its private IP, pinned to its own host key, through the bastion, pinned to the bastion's", () => {
                const bastion = cloud.addresses(g, "bastion").public;
                const commands = run.resources.filter((r) => r.type === "command:remote:Command");
                assert.ok(commands.length >= 2 * REAL_SERVERS + 10);
                for (const c of commands) {
                    assert.ok(isSecret(c.inputs.connection), `${c.name}: the connection (with its private key) is a secret`);
                    const conn = unwrap(c.inputs.connection);
                    const vm = vmOfCommand(c.name);
                    assert.deepEqual(
                        { host: conn.host, user: conn.user, hostKey: conn.hostKey, proxy: { host: conn.proxy?.host, user: conn.proxy?.user, hostKey: conn.proxy?.hostKey } },
                        { host: cloud.addresses(g, vm).private, user: cloud.user, hostKey: mockHostKey(vm), proxy: { host: bastion, user: cloud.user, hostKey: mockHostKey("bastion") } },
                        `${c.name} runs on ${vm}`,
                    );
                }
            });

            it("takes the VRRP unicast peers and the real servers' RIPs from the VMs' private IPs", () => {
                const [dir1, dir2] = ["dir1", "dir2"].map((vm) => cloud.addresses(g, vm).private);
                for (const [role, self, peer] of [["primary", dir1, dir2], ["secondary", dir2, dir1]] as const) {
                    const conf = unwrap(g.of("command:remote:Command", `lb-${role}-keepalived`).inputs.stdin) as string;
                    assert.match(conf, new RegExp(`\\n    unicast_src_ip ${self!.replace(/\./g, "\\.")}\\n    unicast_peer \\{\\n        ${peer!.replace(/\./g, "\\.")}\\n    \\}\\n`), `${role}: from ${self} to ${peer}`);
                }
                const service = unwrap(g.of("command:remote:Command", "web-primary").inputs.stdin) as string;
                assert.match(service, new RegExp(`lvs_method ${cloud.mode}\\b`));
                const rips = [...service.matchAll(/real_server (\S+) 80 /g)].map((m) => m[1]).sort();
                assert.deepEqual(rips, VM_NAMES.filter((n) => n.startsWith("rs")).map((n) => cloud.addresses(g, n).private).sort());
            });

            it("leaves no secret in plaintext: not the VRRP password, the SSH private key or a host's private key, in any input or output", () => {
                const hostPrivateKeys = run.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey").flatMap((r) => pemBody(unwrap(r.outputs.privateKeyOpenssh)));
                const needles = [PASSWORD, ...pemBody(LOGIN.privateKeyPem), ...hostPrivateKeys];
                assert.deepEqual(plaintextSecrets(run, needles), [], "a secret in plaintext");
                assert.ok(run.outputs.some((o) => o.urn === "stack exports"), "the program's exports were checked");
                // The check saw them: each secret is there, as a secret (the search would find a leak).
                for (const n of [PASSWORD, pemBody(LOGIN.privateKeyPem)[0]!, ...hostPrivateKeys.slice(0, 1)]) {
                    assert.ok(run.resources.some((r) => findSecrets(r.inputs, [n]).wrapped > 0), `${n.slice(0, 12)}... is passed on, as a secret`);
                }
                // And it finds one: the same search over a value given in plaintext.
                assert.deepEqual(findSecrets({ a: [{ stdin: `x${PASSWORD}y` }] }, needles).plain, ["a[0].stdin"]);
            });

            if (cloud.example === "aws") {
                it("AWS: the VIP starts on the primary as a secondary private IP in a reserved block, TUN real servers skip the source/dest check, each console read is its own instance's", () => {
                    const instance = (vm: string) => g.of("aws:ec2/instance:Instance", vm);
                    assert.deepEqual(instance("dir1").inputs.secondaryPrivateIps, ["10.0.1.250"]);
                    assert.equal(instance("dir2").inputs.secondaryPrivateIps, undefined);
                    assert.equal(g.of("aws:ec2/subnetCidrReservation:SubnetCidrReservation", "lvs-vips").inputs.cidrBlock, "10.0.1.240/28");
                    for (const vm of VM_NAMES) {
                        assert.equal(instance(vm).inputs.sourceDestCheck, vm.startsWith("rs") ? false : undefined, `${vm}: sourceDestCheck`);
                        const read = g.of("command:local:Command", `${vm}-host-key`);
                        assert.equal(unwrap(read.inputs.environment).INSTANCE_ID, instance(vm).id, `${vm}-host-key reads ${vm}'s console`);
                        assert.ok(read.dependencies.includes(instance(vm).urn), `${vm}-host-key waits for ${vm}`);
                    }
                    const policy = JSON.parse(unwrap(g.of("aws:iam/rolePolicy:RolePolicy", "lvs-director-vip").inputs.policy) as string);
                    const enis = ["dir1", "dir2"].map((vm) => `arn:aws:ec2:eu-central-1:123456789012:network-interface/${(instance(vm).outputs as Record<string, string>).primaryNetworkInterfaceId}`);
                    assert.deepEqual(policy.Statement[0].Resource, enis, "the takeover may move addresses on the two directors' interfaces only");
                    const conf = unwrap(g.of("command:remote:Command", "lb-primary-keepalived").inputs.stdin) as string;
                    assert.match(conf, /notify_master "\/usr\/local\/sbin\/lvs-vip-takeover 10\.0\.1\.250"/);
                });
            } else {
                it("Hetzner: each server gets its own host key by cloud-init (a secret), the Floating IP and the network route point at the primary, real servers have no public IPv4", () => {
                    for (const vm of VM_NAMES) {
                        const server = g.of("hcloud:index/server:Server", vm);
                        assert.ok(isSecret(server.inputs.userData), `${vm}: its user data (a host private key) is a secret`);
                        const cloudConfig = JSON.parse((unwrap(server.inputs.userData) as string).replace(/^#cloud-config\n/, ""));
                        assert.equal(cloudConfig.ssh_keys.ed25519_public, mockHostKey(vm), `${vm}: cloud-init installs the key it is pinned to`);
                        assert.deepEqual(cloudConfig.ssh_genkeytypes, []);
                        assert.equal((server.inputs.publicNets as { ipv4Enabled: boolean }[])[0]!.ipv4Enabled, !vm.startsWith("rs"), `${vm}: public IPv4`);
                    }
                    const assignment = g.of("hcloud:index/floatingIpAssignment:FloatingIpAssignment", "lvs-vip").inputs;
                    assert.equal(assignment.serverId, Number(g.of("hcloud:index/server:Server", "dir1").id), "the Floating IP starts on the primary");
                    assert.equal(assignment.floatingIpId, Number(g.of("hcloud:index/floatingIp:FloatingIp", "lvs-vip").id));
                    assert.deepEqual(g.of("hcloud:index/serverNetwork:ServerNetwork", "dir1").inputs.aliasIps, ["10.0.1.254"]);
                    assert.deepEqual(g.of("hcloud:index/serverNetwork:ServerNetwork", "dir2").inputs.aliasIps, []);
                    const route = g.of("hcloud:index/networkRoute:NetworkRoute", "lvs-default").inputs;
                    assert.deepEqual([route.destination, route.gateway], ["0.0.0.0/0", "10.0.1.254"]);
                    const conf = unwrap(g.of("command:remote:Command", "lb-primary-keepalived").inputs.stdin) as string;
                    const vip = (g.of("hcloud:index/floatingIp:FloatingIp", "lvs-vip").outputs as Record<string, string>).ipAddress!;
                    assert.match(conf, new RegExp(`${vip.replace(/\./g, "\\.")}/32 dev enp7s0`), "the Floating IP is the VIP");
                });
            }
        });
    }
});
