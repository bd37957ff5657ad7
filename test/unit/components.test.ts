// The components' wiring, under Pulumi mocks: which remote commands they create, with what inputs,
// and that bad input stops them before any command exists. Mocks are set before the code under test loads.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const registered: Registered[] = [];

pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
    },
    call(args) {
        return args.inputs;
    },
}, "project", "stack", false);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lvs = require("../../src") as typeof import("../../src");

const SECRET_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nMOCKKEY\n-----END OPENSSH PRIVATE KEY-----";
const conn = (host: string) => ({ host, port: 22, user: "root", privateKey: pulumi.secret(SECRET_KEY) });
const resolve = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((r) => o.apply((v) => { r(v); return v; }));
const settle = () => new Promise((r) => setTimeout(r, 50));
const commands = (prefix: string) => registered.filter((r) => r.type === "command:remote:Command" && r.name.startsWith(prefix));

let nextRouterId = 1;
/** A pair on hosts and with a VIP of its own: two pairs never share a director host or a VIP. */
function makePair(name: string, overrides: Partial<import("../../src").LvsDirectorPairArgs> = {}) {
    const n = nextRouterId++;
    return new lvs.LvsDirectorPair(name, {
        primary: conn(`10.1.${n}.1`),
        secondary: conn(`10.1.${n}.2`),
        interface: "eth0",
        vips: [`10.9.${n}.10`],
        vrrp: { virtualRouterId: n, authPass: pulumi.secret("pw12345") },
        ...overrides,
    });
}

describe("components (Pulumi mocks)", () => {
    it("LvsDirectorPair creates, per director, packages -> facts -> sysctls -> auth -> keepalived, backup first", async () => {
        const pair = makePair("lb");
        await settle();
        assert.deepEqual(pair.directors.map((d) => d.role), ["secondary", "primary"]);
        assert.deepEqual(commands("lb-").map((c) => c.name).sort(), [
            "lb-primary-auth", "lb-primary-facts", "lb-primary-keepalived", "lb-primary-packages", "lb-primary-sysctls",
            "lb-secondary-auth", "lb-secondary-facts", "lb-secondary-keepalived", "lb-secondary-packages", "lb-secondary-sysctls",
        ]);
        assert.ok(registered.some((r) => r.type === "pulumi-lvs:index:LvsDirectorPair" && r.name === "lb"));
    });

    it("keeps the VRRP password out of keepalived.conf and of the outputs", async () => {
        const pair = makePair("lb2");
        const configs = await resolve(pair.configs);
        await settle();
        assert.match(configs.primary, /state MASTER/);
        assert.match(configs.secondary, /state BACKUP/);
        for (const text of [configs.primary, configs.secondary]) assert.ok(!text.includes("pw12345"));
        const main = commands("lb2-primary-keepalived")[0]!;
        assert.ok(!JSON.stringify(main.inputs).includes("pw12345"), "main config command holds no password");
        const auth = commands("lb2-primary-auth")[0]!;
        assert.ok(!auth.inputs.create.includes("pw12345"), "the password is never in a command line");
        const authStdin: string = typeof auth.inputs.stdin === "string" ? auth.inputs.stdin : auth.inputs.stdin.value; // a secret
        assert.ok(authStdin.includes(`${Buffer.byteLength(configs.primary)}\n${configs.primary}# Managed by pulumi-lvs: the VRRP password`), "auth.conf travels after the keepalived.conf it is checked with");
        assert.ok(!auth.inputs.delete.includes("pw12345"));
        assert.ok(!main.inputs.create.includes("MOCKKEY"), "the SSH key is never in a command line");
    });

    it("VirtualService writes one include file per director and RealServer its sysctls and VIP unit", async () => {
        const pair = makePair("lb3");
        const web = new lvs.VirtualService("web3", {
            directors: pair, vip: "10.0.0.10", port: 80, scheduler: "wrr",
            realServers: [{ address: "10.0.0.21", weight: 3 }, { address: "10.0.0.22" }],
        });
        new lvs.RealServer("rs3", { connection: conn("10.0.0.21"), mode: "DR", vips: ["10.0.0.10"] });
        assert.equal(await resolve(web.key), "10.0.0.10:80/tcp");
        await settle();
        assert.deepEqual(commands("web3-").map((c) => c.name).sort(), ["web3-primary", "web3-secondary"]);
        const svc = commands("web3-primary")[0]!;
        assert.match(svc.inputs.stdin, /real_server 10\.0\.0\.21 80 \{\n\s+weight 3/);
        assert.match(svc.inputs.stdin, /TARGET='\/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-0-0-10_80\.conf'/);
        assert.ok(svc.inputs.create.length < 400, "the command itself is short: the script travels on stdin");
        assert.deepEqual(commands("rs3-").map((c) => c.name).sort(), ["rs3-sysctls", "rs3-vips"]);
        assert.match(commands("rs3-vips")[0]!.inputs.stdin, /ExecStart=\/sbin\/ip addr replace 10\.0\.0\.10\/32 dev lo/);
    });

    it("rejects bad plain input at construction, before any command is created", () => {
        const before = registered.length;
        assert.throws(() => new lvs.VirtualService("bad", {
            directors: makePair("lb4"), vip: "10.0.0.10", port: 80,
            realServers: [{ address: "10.0.0.21", port: 8080 }],
        }), /VirtualService "bad": realServers\[0\]\.port: 8080 must equal the VIP port 80 in DR mode/);
        assert.equal(registered.slice(before).filter((r) => r.name.startsWith("bad-")).length, 0);
        assert.throws(() => makePair("lb5", { interface: "eth0; reboot" }), /LvsDirectorPair "lb5": interface: "eth0; reboot" must be a Linux interface name/);
        assert.throws(() => makePair("bad name"), /LvsDirectorPair "bad name": name: "bad name" must be 1-63 letters/);
    });

    it("rejects a second pair with the same router id on the same NIC, at construction", () => {
        makePair("lbA", { vrrp: { virtualRouterId: 200, authPass: "pw" } });
        assert.throws(() => makePair("lbB", { vrrp: { virtualRouterId: 200, authPass: "pw" } }), /LvsDirectorPair "lbB": vrrp\.virtualRouterId: 200 is already used on eth0 by LvsDirectorPair "lbA"/);
        assert.equal(commands("lbB-").length, 0);
    });

    it("rejects, at construction, a VIP held by another pair and a second VirtualService on one VIP:port:protocol of a pair", () => {
        makePair("lbV1", { vips: ["10.8.0.1/24"] });
        assert.throws(() => makePair("lbV2", { vips: ["10.8.0.2", "10.8.0.1"] }), /LvsDirectorPair "lbV2": vips\[1\]: "10\.8\.0\.1" is already a VIP of LvsDirectorPair "lbV1": a VIP belongs to one pair/);
        assert.equal(commands("lbV2-").length, 0);
        const pair = makePair("lbS");
        const svc = { directors: pair, vip: "10.8.1.1", port: 80, realServers: [{ address: "10.8.1.21" }] };
        new lvs.VirtualService("svcA", svc);
        assert.throws(() => new lvs.VirtualService("svcB", svc), /VirtualService "svcB": port: "10\.8\.1\.1:80\/tcp" is already served by VirtualService "svcA" on LvsDirectorPair "lbS": one VirtualService per VIP, port and protocol \(or fwmark\) on a pair/);
        new lvs.VirtualService("svcC", { ...svc, protocol: "UDP", healthCheck: { type: "UDP" } });
        assert.equal(commands("svcB-").length, 0);
    });

    it("NAT pair: inside instance, forwarding and masquerading rules; NAT and TUN real servers", async () => {
        const pair = makePair("nat1", { inside: { interface: "eth1", vips: ["10.202.0.100/24"], masquerade: ["10.202.0.0/24"] } });
        new lvs.RealServer("rsn", { connection: conn("10.202.0.31"), mode: "NAT", gateway: "10.202.0.100" });
        new lvs.RealServer("rst", { connection: conn("10.203.0.41"), mode: "TUN", vips: ["10.0.0.10"] });
        const configs = await resolve(pair.configs);
        await settle();
        assert.match(configs.primary, /vrrp_sync_group VG_eth0_(\d+) \{\n    group \{\n        VI_eth0_\1\n        VI_eth1_\1\n/);
        const nat = commands("nat1-primary-nat")[0]!;
        assert.match(nat.inputs.stdin, /4 nat POSTROUTING -o eth0 -s 10\.202\.0\.0\/24 -j MASQUERADE/);
        assert.match(commands("nat1-primary-sysctls")[0]!.inputs.stdin, /net\.ipv4\.ip_forward = 1/);
        assert.match(commands("rsn-vips")[0]!.inputs.stdin, /ExecStart=\/sbin\/ip route replace default via 10\.202\.0\.100/);
        assert.match(commands("rst-vips")[0]!.inputs.stdin, /ExecStart=\/sbin\/ip addr replace 10\.0\.0\.10\/32 dev tunl0/);
    });

    it("checks Output values when they resolve", async () => {
        const pair = makePair("lb6", { vrrp: { virtualRouterId: pulumi.output(300), authPass: "pw" } });
        // Output.promise() is how the runtime awaits a value; it rejects with the validation error.
        await assert.rejects((pair.configs as any).promise(), /LvsDirectorPair "lb6": vrrp\.virtualRouterId: 300 must be at most 255/);
    }).timeout(5000);
});
