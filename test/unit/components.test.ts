// The components' wiring, under Pulumi mocks: which remote commands they create, with what inputs,
// and that bad input stops them before any command exists. Mocks are set before the code under test loads.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { unpackedStdin } from "../../src/remote/shell";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}
const registered: Registered[] = [];
/** What a command prints, by resource name (e.g. a director's facts); "" when not listed. */
const stdoutOf: Record<string, string> = {};

/** A command's inputs with its scripts unpacked on stdin (a secret stdin comes as { value }). */
const readable = (inputs: Record<string, any>): Record<string, any> => {
    const stdin = inputs.stdin;
    if (typeof stdin === "string") return { ...inputs, stdin: unpackedStdin(stdin) };
    if (typeof stdin?.value === "string") return { ...inputs, stdin: { ...stdin, value: unpackedStdin(stdin.value) } };
    return inputs;
};

pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: readable(args.inputs) });
        return { id: `${args.name}-id`, state: { ...args.inputs, stdout: stdoutOf[args.name] ?? "", stderr: "" } };
    },
    call(args) {
        return args.inputs;
    },
}, "project", "stack", false);

// What each resource depends on, by name, as the engine gets it (the mocks' newResource does not see it).
const dependsOnOf: Record<string, string[]> = {};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const monitor = (require("@pulumi/pulumi/runtime/settings") as typeof import("@pulumi/pulumi/runtime/settings")).getMonitor() as any;
const registerResource = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: any, callback: unknown) => {
    dependsOnOf[req.getName()] = (req.getDependenciesList() as string[]).map((urn) => urn.slice(urn.lastIndexOf("::") + 2));
    return registerResource(req, callback);
};

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
            "lb-primary-auth", "lb-primary-facts", "lb-primary-keepalived", "lb-primary-packages", "lb-primary-sysctls", "lb-primary-vrrp-peer",
            "lb-secondary-auth", "lb-secondary-facts", "lb-secondary-keepalived", "lb-secondary-packages", "lb-secondary-sysctls",
            "lb-secondary-vrrp-hold", "lb-secondary-vrrp-release",
        ]);
        assert.ok(registered.some((r) => r.type === "pulumi-lvs:index:LvsDirectorPair" && r.name === "lb"));
    });

    it("one director (no secondary, no vrrp): packages -> facts -> sysctls -> VIPs on lo -> keepalived.conf without VRRP; the same names as a pair's primary, so adding a secondary grows it in place", async () => {
        const one = new lvs.LvsDirectorPair("solo", { primary: conn("10.77.200.1"), interface: "eth0", vips: ["10.77.200.10/24"], inside: { interface: "eth1", vips: ["10.78.200.1"] } });
        const configs = await resolve(one.configs);
        await settle();
        assert.deepEqual(one.directors.map((d) => d.role), ["primary"]);
        assert.deepEqual(commands("solo-").map((c) => c.name).sort(), ["solo-primary-arp", "solo-primary-facts", "solo-primary-keepalived", "solo-primary-nat", "solo-primary-packages", "solo-primary-sysctls", "solo-primary-vips"]);
        assert.ok(!/vrrp_instance|include \/etc\/keepalived\/pulumi-lvs\/auth\.conf/.test(configs.primary), configs.primary);
        assert.equal(configs.secondary, undefined);
        assert.equal(await resolve(one.secondaryHost), "");
        const vips = commands("solo-primary-vips")[0]!;
        assert.ok(vips.inputs.stdin.includes("ExecStart=/sbin/ip addr replace 10.77.200.10/32 dev lo\nExecStart=/sbin/ip addr replace 10.78.200.1/32 dev lo\n"), vips.inputs.stdin);
        assert.match(commands("solo-primary-arp").find((c) => c.name === "solo-primary-arp")!.inputs.stdin, /net\.ipv4\.conf\.all\.arp_ignore = 0\n[^]*net\.ipv4\.conf\.eth0\.arp_ignore = 0\n[^]*net\.ipv4\.conf\.eth1\.arp_ignore = 0\n/);
        assert.doesNotMatch(commands("solo-primary-sysctls")[0]!.inputs.stdin, /arp_ignore = 0/, "the ARP settings go with the VIPs on lo, not with the director's sysctls");
        assert.match(commands("solo-primary-vips")[0]!.inputs.stdin, /GUARD='?\/etc\/keepalived\/keepalived\.conf/);
        const deps = (n: string) => dependsOnOf[`solo-primary-${n}`] ?? [];
        assert.ok(deps("vips").includes("solo-primary-nat") && deps("arp").includes("solo-primary-vips") && deps("keepalived").includes("solo-primary-arp"), "the VIPs are on lo and answered before keepalived.conf; when growing, the ARP settings go before the VIPs");
        new lvs.VirtualService("soloWeb", { directors: one, vip: "10.77.200.10", port: 80, realServers: [{ address: "10.77.200.21" }] });
        await settle();
        assert.deepEqual(commands("soloWeb-").map((c) => c.name).sort(), ["soloWeb-primary"]);
    });

    it("one director refuses what only a pair has, naming the field", () => {
        const one = (over: Partial<import("../../src").LvsDirectorPairArgs>) => () => new lvs.LvsDirectorPair("soloBad", { primary: conn("10.77.201.1"), interface: "eth0", vips: ["10.77.201.10"], ...over });
        assert.throws(one({ vrrp: { virtualRouterId: 9, authPass: "pw" } }), /LvsDirectorPair "soloBad": vrrp: "\(given\)" needs secondary: one director has no VRRP \(give secondary for a pair, or leave vrrp out\)/);
        assert.throws(one({ vips: ["10.77.201.10", "fd00::10"] }), /vips\[1\]: "fd00::10" is IPv6: one director holds its VIPs on lo/);
        assert.throws(one({ lvsSyncDaemon: { interface: "eth2" } }), /lvsSyncDaemon: "eth2" needs secondary: the sync daemon/);
        assert.throws(one({ globalDefs: { vrrpStrict: true, vrrpStrictAcknowledged: true } }), /globalDefs\.vrrpStrict: true needs secondary: one director has no VRRP/);
        assert.throws(one({ sysctls: { "net.ipv4.conf.eth0.arp_ignore": 1 } }), /sysctls\.net\.ipv4\.conf\.eth0\.arp_ignore: 1 is set to 0 on one director/);
        assert.throws(() => new lvs.LvsDirectorPair("pairNoVrrp", { primary: conn("10.77.202.1"), secondary: conn("10.77.202.2"), interface: "eth0", vips: ["10.77.202.10"] }), /LvsDirectorPair "pairNoVrrp": vrrp: \(missing\) is required with secondary: the two directors share the VIPs through VRRP/);
    });

    it("a change of the VRRP identity holds the secondary before its auth.conf and releases it after the primary's keepalived.conf", async () => {
        stdoutOf["lbI-secondary-vrrp-hold"] = "held director-b 1234";
        const pair = makePair("lbI", { vrrp: { virtualRouterId: 77, authPass: pulumi.secret("pw12345"), priorities: { primary: 200, secondary: 20 } } });
        await resolve(pair.configs);
        await settle();
        const deps = (n: string) => dependsOnOf[`lbI-${n}`] ?? [];
        assert.ok(deps("secondary-vrrp-hold").includes("lbI-secondary-sysctls"), "the hold comes after the secondary's sysctls");
        assert.ok(deps("secondary-auth").includes("lbI-secondary-vrrp-hold"), "the secondary's auth.conf waits for the hold");
        assert.ok(!deps("secondary-auth").includes("lbI-secondary-sysctls"), "nothing gets past the hold");
        assert.ok(deps("primary-vrrp-peer").includes("lbI-secondary-vrrp-hold"));
        assert.ok(deps("primary-auth").includes("lbI-primary-vrrp-peer"), "the primary learns of the hold before its auth.conf");
        assert.ok(deps("secondary-vrrp-release").includes("lbI-primary-keepalived"), "the release waits for the primary's keepalived.conf");
        // The secondary is the canary: nothing on the primary changes before all of the secondary's steps
        // have gone through (a keepalived.conf the secondary refuses leaves the primary's sysctls and rules
        // as they were too).
        assert.ok(deps("primary-sysctls").includes("lbI-secondary-keepalived"), "the primary's first step waits for the secondary's last");
        // The hold runs again exactly when the identity (or the password) changes: it is its only input.
        const hold = commands("lbI-secondary-vrrp-hold")[0]!;
        const holdStdin: string = hold.inputs.stdin.value ?? hold.inputs.stdin;
        assert.equal(typeof hold.inputs.stdin, "object", "the hold's input (the password) is a secret");
        assert.ok(holdStdin.endsWith("instance VI_eth0_77 interface eth0 virtual_router_id 77 vrrp_version 2 advert_int 1 auth auth_pass peers multicast\n" +
            "# Managed by pulumi-lvs: the VRRP password, used as $PULUMI_LVS_AUTH_PASS in keepalived.conf.\n$PULUMI_LVS_AUTH_PASS=pw12345\n"), holdStdin.slice(-400));
        assert.ok(!hold.inputs.create.includes("pw12345"));
        // The release and the primary's note read the hold's output: they run again whenever it held.
        for (const n of ["lbI-secondary-vrrp-release", "lbI-primary-vrrp-peer"]) {
            const stdin: string = commands(n)[0]!.inputs.stdin.value ?? commands(n)[0]!.inputs.stdin;
            assert.ok(stdin.includes("held director-b 1234"), `${n} reads the hold's output`);
            assert.equal(commands(n)[0]!.inputs.delete, undefined, `${n} has nothing to undo`);
        }
        assert.ok(hold.inputs.delete !== undefined, "deleting the hold forgets a hold whose keepalived.conf never came (vrrpHold.test.ts)");
    });

    it("names people monitor: a given instance name reaches keepalived.conf and the VRRP identity (so a rename holds the secondary); router_ids and e-mail reach global_defs", async () => {
        const pair = makePair("lbN", {
            vips: ["10.9.201.10", "fd00:9:201::10"],
            vrrp: { virtualRouterId: 201, authPass: pulumi.secret("pw12345"), instanceName: "VI_1", syncGroupName: "LB", smtpAlert: true },
            emailAlerts: { to: ["ops@example.com"], smtpServer: { host: "10.9.201.25" } },
            globalDefs: { routerIds: { primary: "lb01", secondary: "lb02" } },
        });
        const configs = await resolve(pair.configs);
        await settle();
        assert.match(configs.primary, /router_id lb01\n[^]*smtp_server 10\.9\.201\.25\n[^]*vrrp_sync_group LB \{\n    group \{\n        VI_1\n        VI_eth0_201_v6\n    \}\n    smtp_alert yes\n/);
        assert.match(configs.secondary!, /router_id lb02\n/);
        const hold = commands("lbN-secondary-vrrp-hold")[0]!;
        const holdStdin: string = hold.inputs.stdin.value ?? hold.inputs.stdin;
        assert.match(holdStdin, /^instance VI_1 interface eth0 virtual_router_id 201 /m);
        assert.doesNotMatch(holdStdin, /lb01|LB|smtp/, "router_id, the group's name and e-mail are not shared on the wire");
    });

    it("rejects a router_id equal to the other director's, derived or given", () => {
        assert.throws(() => makePair("lbR", { globalDefs: { routerIds: { secondary: "lbR-primary" } } }), /LvsDirectorPair "lbR": globalDefs\.routerIds\.secondary: "lbR-primary" is also the primary director's router_id: keepalived's logs and e-mail subjects name the director by it/);
    });

    it("keeps the VRRP password out of keepalived.conf and of the outputs", async () => {
        const pair = makePair("lb2");
        const configs = await resolve(pair.configs);
        await settle();
        assert.match(configs.primary, /state MASTER/);
        assert.match(configs.secondary!, /state BACKUP/);
        for (const text of [configs.primary, configs.secondary!]) assert.ok(!text.includes("pw12345"));
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
        assert.ok(svc.inputs.create.length < 600, "the command itself is short: the script travels on stdin");
        assert.deepEqual(commands("rs3-").map((c) => c.name).sort(), ["rs3-sysctls", "rs3-vips"]);
        assert.match(commands("rs3-vips")[0]!.inputs.stdin, /ExecStart=\/sbin\/ip addr replace 10\.0\.0\.10\/32 dev lo/);
    });

    it("VirtualServiceSet: one command per director for all its services (secondary first), their firewall rules before it, the same checks as VirtualService", async () => {
        const pair = makePair("lbSet", { inside: { interface: "eth1", vips: ["10.202.7.100/24"] } });
        const vip = (await resolve(pair.vips))[0]!;
        const set = new lvs.VirtualServiceSet("tier", {
            directors: pair,
            services: {
                web: { vip, port: 80, scheduler: "wrr", realServers: [{ address: "10.0.7.21", weight: 3 }] },
                api: { vip, port: 8080, mode: "NAT", realServers: [{ address: "10.202.7.31" }] },
            },
        });
        assert.deepEqual(await resolve(set.keys), { web: `${vip}:80/tcp`, api: `${vip}:8080/tcp` });
        await settle();
        assert.deepEqual(commands("tier-").map((c) => c.name).sort(), ["tier-api-primary-nat", "tier-api-secondary-nat", "tier-primary", "tier-secondary"]);
        const primary = commands("tier-primary")[0]!;
        const line = `web\ttcp_${vip.replace(/\./g, "-")}_80.conf\t-t ${vip}:80\twrr\t`;
        assert.ok(primary.inputs.stdin.includes(`\n${line}`), `a line ${line}<bytes>, then the file`);
        assert.match(primary.inputs.stdin, /^api\t\S+_8080\.conf\t/m);
        assert.match(primary.inputs.stdin, /real_server 10\.0\.7\.21 80 \{\n\s+weight 3/);
        assert.ok(primary.inputs.create.length < 600, "the command itself is short: the scripts travel on stdin");
        assert.ok(dependsOnOf["tier-primary"]!.includes("tier-secondary"), "the secondary is the canary");
        assert.ok(dependsOnOf["tier-primary"]!.includes("tier-api-primary-nat"), "a NAT service's rules come before its file");
        assert.ok(dependsOnOf["tier-api-primary-nat"]!.includes("tier-secondary"));
        assert.throws(() => new lvs.VirtualServiceSet("tier2", { directors: pair, services: { "bad name": { vip, port: 81, realServers: [{ address: "10.0.7.21" }] } } }), /VirtualServiceSet "tier2": services: "bad name" names a service with 1-63 letters/);
        assert.throws(() => new lvs.VirtualServiceSet("tier3", { directors: pair, services: { dup: { vip, port: 80, realServers: [{ address: "10.0.7.22" }] } } }), /VirtualServiceSet "tier3\.dup": port: "[^"]+:80\/tcp" is already served by VirtualServiceSet "tier" \(service "web"\)/);
        // Names that read alike are still told apart: a VirtualService named "tier.web" is not the set's service.
        assert.throws(() => new lvs.VirtualService("tier.web", { directors: pair, vip, port: 80, realServers: [{ address: "10.0.7.22" }] }), /VirtualService "tier\.web": port: "[^"]+:80\/tcp" is already served by VirtualServiceSet "tier" \(service "web"\)/);
        new lvs.VirtualServiceSet("a", { directors: pair, services: { "b-c": { vip, port: 90, realServers: [{ address: "10.0.7.21" }] } } });
        assert.throws(() => new lvs.VirtualServiceSet("a-b", { directors: pair, services: { c: { vip, port: 91, realServers: [{ address: "10.0.7.21" }] } } }), /VirtualServiceSet "a-b": services\.c: "c" gets the command names a-b-c-\.\.\., like service "b-c" of VirtualServiceSet "a": rename one of them/);
        assert.throws(() => new lvs.VirtualServiceSet("tier4", { directors: pair, services: { x: { vip, port: 82, realServers: [{ address: "10.0.7.21", port: 8080 }] } } }), /VirtualServiceSet "tier4\.x": realServers\[0\]\.port: 8080 must equal the VIP port 82 in DR mode/);
        assert.throws(() => new lvs.VirtualServiceSet("tier5", { directors: pair, services: {} }), /VirtualServiceSet "tier5": services: {} needs at least one service/);
        assert.equal(commands("tier2-").length + commands("tier3-").length + commands("tier4-").length + commands("tier5-").length, 0);
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

    it("one director host in two pairs is caught whatever the spelling of its IPv6 address", async () => {
        makePair("lbH1", { primary: conn("FD00:77::1") });
        const second = makePair("lbH2", { primary: conn("fd00:77:0::1") });
        await assert.rejects((second.directors.find((d) => d.role === "primary")!.connection as any).promise(), /LvsDirectorPair "lbH2": primary\.host: "\[fd00:77:0::1\]:22" is already the director of LvsDirectorPair "lbH1" \(primary\)/);
    }).timeout(5000);

    it("unicast: the facts read while keepalived holds the VIPs never make a VIP the advert address", async () => {
        // Linux lists IPv6 addresses newest first, so the VIP (given with a prefix) comes before the host's own.
        for (const [role, n] of [["primary", 11], ["secondary", 12]] as const) {
            stdoutOf[`lbU-${role}-facts`] = `keepalived 2.2.7\naddr eth0 fd00:88::100/64\naddr eth0 fd00:88::${n}/64\n`;
        }
        const pair = makePair("lbU", { vips: ["FD00:88::100/64"], vrrp: { virtualRouterId: 88, authPass: "pw", unicast: true } });
        const configs = await resolve(pair.configs);
        assert.match(configs.primary, /unicast_src_ip fd00:88::11\n\s+unicast_peer \{\n\s+fd00:88::12\n/);
        assert.match(configs.secondary!, /unicast_src_ip fd00:88::12\n\s+unicast_peer \{\n\s+fd00:88::11\n/);
    }).timeout(5000);

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
        // The pair opens only the masqueraded network; nothing from the outside to the inside NIC as such.
        assert.doesNotMatch(nat.inputs.stdin, /FORWARD -i eth0 -o eth1 -j ACCEPT|FORWARD -i eth1 -o eth0 -j ACCEPT/);
    });

    it("one-NIC NAT pair: forwarding without redirects, SNAT of the real servers' own connections, their replies opened on the VIP's NIC", async () => {
        const pair = makePair("nat3", { vips: ["10.0.3.100"], oneNicNat: { snat: ["10.0.3.21"] } });
        const rs = new lvs.RealServer("rs3n", { connection: conn("10.0.3.21"), mode: "NAT", gateway: "10.0.3.100" });
        new lvs.VirtualService("web3", { directors: pair, vip: "10.0.3.100", port: 80, mode: "NAT", realServers: [{ realServer: rs }] });
        await settle();
        assert.match(commands("nat3-primary-nat")[0]!.inputs.stdin, /^4 nat POSTROUTING -o eth0 -s 10\.0\.3\.21 -j SNAT --to-source 10\.0\.3\.100$/m);
        assert.match(commands("nat3-secondary-sysctls")[0]!.inputs.stdin, /net\.ipv4\.conf\.all\.send_redirects = 0\n[\s\S]*net\.ipv4\.conf\.eth0\.send_redirects = 0\n[\s\S]*net\.ipv4\.ip_forward = 1/);
        assert.match(commands("web3-primary-nat")[0]!.inputs.stdin, /^4 filter FORWARD -i eth0 -s 10\.0\.3\.21\/32 -p tcp --sport 80 -j ACCEPT$/m);
        assert.match(commands("rs3n-vips")[0]!.inputs.stdin, /ExecStart=\/sbin\/ip route replace default via 10\.0\.3\.100/);
    });

    it("firewall: the pair's own INPUT chains (VRRP, answers), each service's VIP and port, a RealServer's ports before its VIPs", async () => {
        const pair = makePair("fw1", { vips: ["10.0.4.100"], firewall: true });
        const rs = new lvs.RealServer("rsfw", { connection: conn("10.0.4.21"), mode: "DR", vips: ["10.0.4.100"], firewall: { ports: [{ port: 80 }] } });
        new lvs.VirtualService("webfw", { directors: pair, vip: "10.0.4.100", port: 80, realServers: [{ realServer: rs }] });
        await settle();
        assert.equal(pair.firewall, true);
        assert.match(commands("fw1-primary-nat")[0]!.inputs.stdin, /^4 filter INPUT -i eth0 -p 112 -j ACCEPT$/m);
        assert.match(commands("fw1-secondary-nat")[0]!.inputs.stdin, /^4 filter INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT$/m);
        assert.deepEqual(commands("webfw-").map((c) => c.name).sort(), ["webfw-primary", "webfw-primary-firewall", "webfw-secondary", "webfw-secondary-firewall"]);
        assert.match(commands("webfw-primary-firewall")[0]!.inputs.stdin, /^4 filter INPUT -d 10\.0\.4\.100\/32 -p tcp --dport 80 -j ACCEPT$/m);
        // The service file waits for its rules on each director.
        assert.ok(dependsOnOf["webfw-primary"]!.includes("webfw-primary-firewall"), dependsOnOf["webfw-primary"]!.join(" "));
        const rsFw = commands("rsfw-firewall")[0]!;
        assert.match(rsFw.inputs.stdin, /^4 filter INPUT -p tcp --dport 80 -j ACCEPT$/m);
        assert.match(rsFw.inputs.create, /plvs-create/);
        assert.ok(dependsOnOf["rsfw-sysctls"]!.includes("rsfw-firewall"), dependsOnOf["rsfw-sysctls"]!.join(" "));
        // Without the option: no chain of the pair's own on a DR pair, none for a DR service, none on the real server.
        const plain = makePair("fw2", { vips: ["10.0.5.100"] });
        const rsPlain = new lvs.RealServer("rsplain", { connection: conn("10.0.5.21"), mode: "DR", vips: ["10.0.5.100"] });
        new lvs.VirtualService("webplain", { directors: plain, vip: "10.0.5.100", port: 80, realServers: [{ realServer: rsPlain }] });
        await settle();
        assert.deepEqual([...commands("fw2-"), ...commands("webplain-"), ...commands("rsplain-")].filter((c) => /nat|firewall/.test(c.name)), []);
    });

    it("a NAT VirtualService opens its real servers' replies on the inside NIC, on both directors; DR opens nothing", async () => {
        const pair = makePair("nat2", { inside: { interface: "eth1", vips: ["10.202.1.100/24"] } });
        const vip = (await resolve(pair.vips))[0]!;
        new lvs.VirtualService("natweb", { directors: pair, vip, port: 80, mode: "NAT", realServers: [{ address: "10.202.1.31", port: 8080 }], sorryServer: { address: "10.202.1.99" } });
        new lvs.VirtualService("drweb", { directors: pair, vip, port: 443, realServers: [{ address: "10.202.1.31" }] });
        await settle();
        assert.deepEqual(commands("natweb-").map((c) => c.name).sort(), ["natweb-primary", "natweb-primary-nat", "natweb-secondary", "natweb-secondary-nat"]);
        const rules = commands("natweb-primary-nat")[0]!.inputs.stdin as string;
        assert.match(rules, /^4 filter FORWARD -i eth1 -s 10\.202\.1\.31\/32 -p tcp --sport 8080 -j ACCEPT$/m);
        assert.match(rules, /^4 filter FORWARD -i eth1 -s 10\.202\.1\.99\/32 -p tcp --sport 80 -j ACCEPT$/m);
        assert.deepEqual(commands("drweb-").map((c) => c.name).sort(), ["drweb-primary", "drweb-secondary"]);
    });

    it("never prints a value passed as a secret, whatever its field, in the checks across components too", async () => {
        const rejects = async (o: pulumi.Output<unknown>, line: string, hidden: string) => {
            await assert.rejects((o as any).promise(), (err: Error) => {
                assert.ok(err.message.includes(line), `expected\n${line}\nin\n${err.message}`);
                assert.ok(!err.message.includes(hidden), `${hidden} shown in\n${err.message}`);
                return true;
            });
        };
        await rejects(makePair("lbX1", { vips: [pulumi.secret("10.66.0.256")] }).configs, 'LvsDirectorPair "lbX1": vips[0]: [secret] must be an IPv4 or IPv6 address with an optional /prefix', "10.66.0.256");
        makePair("lbX2", { vips: ["10.66.0.1"] });
        await rejects(makePair("lbX3", { vips: [pulumi.secret("10.66.0.1/24")] }).configs, 'LvsDirectorPair "lbX3": vips[0]: [secret] is already a VIP of LvsDirectorPair "lbX2": a VIP belongs to one pair', "10.66.0.1");
        makePair("lbX4", { interface: "eth66", vrrp: { virtualRouterId: 166, authPass: "pw" } });
        await rejects(makePair("lbX5", { interface: pulumi.secret("eth66"), vrrp: { virtualRouterId: 166, authPass: "pw" } }).configs, 'LvsDirectorPair "lbX5": vrrp.virtualRouterId: 166 is already used on [secret] by LvsDirectorPair "lbX4": router ids must be unique per segment', "eth66");
        makePair("lbX6", { interface: "eth67", vrrp: { virtualRouterId: 167, authPass: "pw" } });
        await rejects(makePair("lbX7", { interface: "eth67", vrrp: { virtualRouterId: pulumi.secret(167), authPass: "pw" } }).configs, 'LvsDirectorPair "lbX7": vrrp.virtualRouterId: [secret] is already used on eth67 by LvsDirectorPair "lbX6": router ids must be unique per segment', "167");
        const pair = makePair("lbX8");
        new lvs.VirtualService("svcX1", { directors: pair, vip: "10.66.1.1", port: 80, realServers: [{ address: "10.66.1.21" }] });
        const clash = new lvs.VirtualService("svcX2", { directors: pair, vip: pulumi.secret("10.66.1.1"), port: 80, realServers: [{ address: "10.66.1.22" }] });
        await rejects(clash.key, 'VirtualService "svcX2": port: [secret] is already served by VirtualService "svcX1" on LvsDirectorPair "lbX8": one VirtualService per VIP, port and protocol (or fwmark) on a pair', "10.66.1.1");
        makePair("lbX9", { primary: conn("10.66.2.1") });
        const hostClash = makePair("lbX10", { primary: { ...conn("x"), host: pulumi.secret("10.66.2.1") } });
        await rejects(hostClash.directors.find((d) => d.role === "primary")!.connection, 'LvsDirectorPair "lbX10": primary.host: [secret] is already the director of LvsDirectorPair "lbX9" (primary): one LvsDirectorPair per director host', "10.66.2.1");
    }).timeout(10000);

    it("a host-key check that fails does not print a secret host either", async () => {
        // Port 1 of the loopback: nothing listens, so the check gives up after one refused dial.
        const primary = { ...conn("x"), host: pulumi.secret("127.0.0.1"), port: 1, dialErrorLimit: 1, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINs0/+txg5qgtazWlUfnFWdj6rj6tpmbuf6xLM80pOKg" };
        const pair = makePair("lbK", { primary });
        await assert.rejects((pair.directors.find((d) => d.role === "primary")!.connection as any).promise(), (err: Error) => {
            assert.match(err.message, /^LvsDirectorPair "lbK": primary: cannot check the host key of root@\[secret\]:1: no SSH handshake after 1 attempt\(s\)/);
            assert.ok(!err.message.includes("127.0.0.1"), err.message);
            return true;
        });
    }).timeout(10000);

    it("checks Output values when they resolve", async () => {
        const pair = makePair("lb6", { vrrp: { virtualRouterId: pulumi.output(300), authPass: "pw" } });
        // Output.promise() is how the runtime awaits a value; it rejects with the validation error.
        await assert.rejects((pair.configs as any).promise(), /LvsDirectorPair "lb6": vrrp\.virtualRouterId: 300 must be at most 255/);
    }).timeout(5000);

    it("LvsDirectorPair gives its inside VIPs and which host is primary and which secondary", async () => {
        const pair = makePair("outs", { inside: { interface: "eth1", vips: ["10.204.0.100/24"] } });
        assert.deepEqual(await resolve(pair.insideVips), ["10.204.0.100/24"]);
        const n = nextRouterId - 1;
        assert.equal(await resolve(pair.primaryHost), `10.1.${n}.1`);
        assert.equal(await resolve(pair.secondaryHost), `10.1.${n}.2`);
        // The host is no secret because the private key beside it is one.
        assert.equal(await (pair.primaryHost as any).isSecret, false);
        assert.deepEqual(await resolve(makePair("outs2").insideVips), []);
    });

    it("a VirtualService entry can be a RealServer component: its address is the RIP", async () => {
        const pair = makePair("byrs");
        const vip = (await resolve(pair.vips))[0]!;
        const rs = new lvs.RealServer("byrs-rs1", { connection: conn("127.0.0.1"), address: "10.205.0.21", mode: "DR", vips: [vip] });
        const rs2 = new lvs.RealServer("byrs-rs2", { connection: conn("10.205.0.22"), mode: "DR", vips: [vip] });
        const svc = new lvs.VirtualService("byrs-web", { directors: pair, vip, port: 80, realServers: [{ realServer: rs, weight: 3 }, { realServer: rs2 }] });
        const config = await resolve(svc.config);
        assert.match(config, /real_server 10\.205\.0\.21 80 \{\n\s+weight 3/);
        assert.match(config, /real_server 10\.205\.0\.22 80 \{/);
    });

    it("rejects a RealServer entry not prepared for the service: mode, VIP, NAT gateway, address given twice", async () => {
        const pair = makePair("unprep", { inside: { interface: "eth1", vips: ["10.206.0.100/24"] } });
        const vip = (await resolve(pair.vips))[0]!;
        const tun = new lvs.RealServer("unprep-tun", { connection: conn("10.206.0.21"), mode: "TUN", vips: [vip] });
        const other = new lvs.RealServer("unprep-other", { connection: conn("10.206.0.22"), mode: "DR", vips: ["10.206.9.9"] });
        const nat = new lvs.RealServer("unprep-nat", { connection: conn("10.206.0.23"), mode: "NAT", gateway: "10.206.0.1" });
        const dr = new lvs.RealServer("unprep-dr", { connection: conn("10.206.0.24"), mode: "DR", vips: [vip] });
        const svc = new lvs.VirtualService("unprep-web", { directors: pair, vip, port: 80, mode: "DR", realServers: [{ realServer: tun }, { realServer: other }, { realServer: dr, address: "10.206.0.24" }] });
        await assert.rejects((svc.config as any).promise(), (err: Error) => {
            assert.equal(err.message, [
                'VirtualService "unprep-web": realServers[0].realServer: "unprep-tun" is a RealServer prepared for TUN mode, not for this service\'s DR mode: give both the same mode',
                'VirtualService "unprep-web": realServers[1].realServer: "unprep-other" is a DR RealServer without this service\'s VIP in its vips: it would drop the packets forwarded to it; add the VIP to the RealServer\'s vips',
                'VirtualService "unprep-web": realServers[2].address: "unprep-dr" is given with realServer: give one of them (the RealServer\'s RIP is its own address argument)',
            ].join("\n"));
            return true;
        });
        const natSvc = new lvs.VirtualService("unprep-nat", { directors: pair, vip, port: 81, mode: "NAT", realServers: [{ realServer: nat, port: 8080 }] });
        await assert.rejects((natSvc.config as any).promise(), /realServers\[0\]\.realServer: "unprep-nat" is a NAT RealServer whose gateway is not a VIP of LvsDirectorPair "unprep"/);
    }).timeout(5000);

    it("warns when a plain real server address is a RealServer of the program that the service does not depend on", async () => {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as any).warn = (msg: string) => { warnings.push(msg); return Promise.resolve(); };
        try {
            const pair = makePair("order");
            const vip = (await resolve(pair.vips))[0]!;
            const rs = new lvs.RealServer("order-rs", { connection: conn("10.207.0.21"), mode: "DR", vips: [vip] });
            const services = [
                new lvs.VirtualService("order-ok", { directors: pair, vip, port: 80, realServers: [{ address: "10.207.0.21" }] }, { dependsOn: [rs] }),
                new lvs.VirtualService("order-named", { directors: pair, vip, port: 81, realServers: [{ realServer: rs }] }),
                new lvs.VirtualService("order-bad", { directors: pair, vip, port: 82, realServers: [{ address: "10.207.0.21" }] }),
            ];
            for (const svc of services) await resolve(svc.config);
            await settle();
            assert.deepEqual(warnings, ['VirtualService "order-bad": realServers[0].address is the address of RealServer "order-rs", which the service does not depend on: it can go live before that server is ready. Name it in the entry (realServer: ...) instead of its address, or add it to dependsOn']);
        } finally {
            (pulumi.log as any).warn = warn;
        }
    });
});

describe("the component package's provider (other languages construct the components through it)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LvsComponentProvider } = require("../../src/plugin/componentProvider") as typeof import("../../src/plugin/componentProvider");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const rpc = require("@pulumi/pulumi/runtime/rpc") as typeof import("@pulumi/pulumi/runtime/rpc");
    const schemaText = fs.readFileSync(path.join(__dirname, "golden", "package-schema.json"), "utf8");
    const schema = JSON.parse(schemaText) as { resources: Record<string, { properties: Record<string, unknown> }> };
    const provider = new LvsComponentProvider(schemaText);
    const reference = (urn: string) => rpc.deserializeProperty({ [rpc.specialSigKey]: rpc.specialResourceSig, urn });

    it("constructs a component by its type token and returns exactly its schema outputs; a component passed back by reference is that same object", async () => {
        const type = "pulumi-lvs:index:RealServer";
        const res = await provider.construct("pkg-rs", type, { connection: conn("10.208.0.21"), mode: "DR", vips: ["10.208.0.100"] }, {});
        assert.deepEqual(Object.keys(res.state).sort(), Object.keys(schema.resources[type]!.properties).sort());
        assert.equal(await resolve(res.state.mode as pulumi.Output<string>), "DR");
        const urn = await resolve(pulumi.output(res.urn));
        const live = reference(urn);
        assert.ok(live instanceof lvs.RealServer && live.name === "pkg-rs", "the reference is the RealServer constructed");
        assert.equal(provider.version, JSON.parse(schemaText).version);
    });

    it("refuses a type it does not have, and a reference to a component it did not create", async () => {
        for (const type of ["pulumi-lvs:index:constructor", "pulumi-lvs:index:Nope", "other:index:RealServer"]) {
            await assert.rejects(provider.construct("pkg-x", type, {}, {}), /unknown resource type .*: pulumi-lvs has LvsDirectorPair, VirtualService, VirtualServiceSet, RealServer/);
        }
        assert.throws(() => reference("urn:pulumi:stack::project::pulumi-lvs:index:LvsDirectorPair::elsewhere"), /is not a component this program created in this run: pass the component object itself/);
    });
});
