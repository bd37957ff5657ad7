// Bad input is rejected before any host is touched, with every problem named: component, field
// path, value and rule. Table-driven: each row is one invalid configuration.
import { strict as assert } from "assert";
import { z } from "zod";
import { connectionSchema } from "../../src/model/connection";
import { authPassSchema, directorPairSchema } from "../../src/model/directorPair";
import { LvsValidationError } from "../../src/model/errors";
import { realServerSchema } from "../../src/model/realServer";
import { validate } from "../../src/model/validate";
import { virtualServiceSchema } from "../../src/model/virtualService";

const pair = { interface: "eth0", vips: ["10.0.0.10"], vrrp: { virtualRouterId: 51 } };
const svc = { vip: "10.0.0.10", port: 80, realServers: [{ address: "10.0.0.21" }] };
const rs = { mode: "DR", vips: ["10.0.0.10"] };
const conn = { primary: { host: "10.0.0.1", privateKey: "KEY" } };
const connectionField = z.object({ primary: connectionSchema });
const authField = z.object({ vrrp: z.object({ authPass: authPassSchema }) });

interface Case {
    what: string;
    component: string;
    schema: z.ZodType;
    input: unknown;
    /** Every part must appear in the message. */
    expect: string[];
}

const cases: Case[] = [
    // LvsDirectorPair
    { what: "router id 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 0 } }, expect: ["vrrp.virtualRouterId: 0 must be at least 1"] },
    { what: "router id 256", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 256 } }, expect: ["vrrp.virtualRouterId: 256 must be at most 255"] },
    { what: "router id not whole", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 5.5 } }, expect: ["vrrp.virtualRouterId: 5.5 must be a whole number"] },
    { what: "priority 255", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 255, secondary: 100 } } }, expect: ["vrrp.priorities.primary: 255 must be at most 254"] },
    { what: "priority 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 150, secondary: 0 } } }, expect: ["vrrp.priorities.secondary: 0 must be at least 1"] },
    { what: "equal priorities", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 100, secondary: 100 } } }, expect: ["vrrp.priorities:", "must differ"] },
    { what: "advert_int 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, advertInt: 0 } }, expect: ["vrrp.advertInt: 0 must be at least 1"] },
    { what: "bad VIP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.256"] }, expect: ['vips[0]: "10.0.0.256" must be an IPv4 or IPv6 address'] },
    { what: "VIP prefix 33", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.1/33"] }, expect: ['vips[0]: "10.0.0.1/33"'] },
    { what: "no VIPs", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: [] }, expect: ["vips: [] must have at least 1 item(s)"] },
    { what: "duplicate VIP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.10", "10.0.0.10/24"] }, expect: ['vips[1]: "10.0.0.10/24" is the same address as vips[0]'] },
    { what: "mixed VIP families", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.10", "fd00::10"] }, expect: ['vips[1]: "fd00::10" must be IPv4 like vips[0]'] },
    { what: "interface with a slash", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "eth0/1" }, expect: ['interface: "eth0/1" must be a Linux interface name'] },
    { what: "interface too long", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "a-very-long-nic-name" }, expect: ['interface: "a-very-long-nic-name" must be a Linux interface name'] },
    { what: "interface with a space", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "eth0 ; reboot" }, expect: ['interface: "eth0 ; reboot"'] },
    { what: "interface missing", component: "LvsDirectorPair", schema: directorPairSchema, input: { vips: ["10.0.0.10"], vrrp: { virtualRouterId: 1 } }, expect: ["interface: (missing) is required"] },
    { what: "bad sysctl key", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, sysctls: { "rm -rf": 1 } }, expect: ['sysctls: "rm -rf" is not a valid key: it must be a sysctl key like net.ipv4.ip_forward'] },
    { what: "unknown field", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, auth_type: "AH" } }, expect: ["vrrp:", "has unknown field(s) auth_type"] },
    { what: "auth too long", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "123456789" } }, expect: ["vrrp.authPass: [secret] must be at most 8 characters: keepalived silently uses only the first 8"] },
    { what: "auth empty", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "" } }, expect: ["vrrp.authPass: [secret] must be at least 1 character(s)"] },
    { what: "auth with a space", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "a b" } }, expect: ["vrrp.authPass: [secret] may contain only"] },
    { what: "connection without auth", component: "LvsDirectorPair", schema: connectionField, input: { primary: { host: "10.0.0.1" } }, expect: ["primary:", "needs privateKey, password or agentSocketPath"] },
    { what: "connection port 0", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, port: 0 } }, expect: ["primary.port: 0 must be at least 1"] },
    { what: "connection bad host key", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, hostKey: "not a key" } }, expect: ['primary.hostKey: "not a key" must be a public key'] },
    { what: "connection host with a quote", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, host: "a'b" } }, expect: ["primary.host:", "must be a host name or address"] },
    // VirtualService
    { what: "port 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: 0 }, expect: ["port: 0 must be at least 1"] },
    { what: "port 65536", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: 65536 }, expect: ["port: 65536 must be at most 65535"] },
    { what: "port as string", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: "80" }, expect: ['port: "80" must be a number'] },
    { what: "unknown scheduler", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, scheduler: "roundrobin" }, expect: ['scheduler: "roundrobin" must be one of "rr", "wrr"'] },
    { what: "unknown mode", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, mode: "FULLNAT" }, expect: ['mode: "FULLNAT" must be one of "DR", "NAT", "TUN"'] },
    { what: "unknown protocol", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, protocol: "ICMP" }, expect: ['protocol: "ICMP" must be one of "TCP", "UDP", "SCTP"'] },
    { what: "bad VIP", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, vip: "10.0.0" }, expect: ['vip: "10.0.0" must be an IPv4 or IPv6 address'] },
    { what: "weight 65536", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", weight: 65536 }] }, expect: ["realServers[0].weight: 65536 must be at most 65535"] },
    { what: "negative weight", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", weight: -1 }] }, expect: ["realServers[0].weight: -1 must be at least 0"] },
    { what: "DR port mapping", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21" }, { address: "10.0.0.22", port: 8080 }] }, expect: ["realServers[1].port: 8080 must equal the VIP port 80 in DR mode"] },
    { what: "TUN port mapping", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, mode: "TUN", realServers: [{ address: "10.0.0.21", port: 81 }] }, expect: ["realServers[0].port: 81 must equal the VIP port 80 in TUN mode"] },
    { what: "duplicate real server", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21" }, { address: "10.0.0.21", port: 80 }] }, expect: ["realServers[1]:", "duplicates realServers[0] (10.0.0.21:80)"] },
    { what: "no real servers", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [] }, expect: ["realServers: [] must have at least 1 item(s)"] },
    { what: "real server family", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "fd00::21" }] }, expect: ['realServers[0].address: "fd00::21" must be IPv4 like the VIP 10.0.0.10'] },
    { what: "bad real server address", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "rs1.example" }] }, expect: ['realServers[0].address: "rs1.example" must be an IPv4 or IPv6 address'] },
    { what: "check type", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "SMTP" } }, expect: ['healthCheck.type: "SMTP"'] },
    { what: "check timeout 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "TCP", connectTimeout: 0 } }, expect: ["healthCheck.connectTimeout: 0 must be at least 1"] },
    { what: "check port 70000", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", healthCheck: { type: "TCP", port: 70000 } }] }, expect: ["realServers[0].healthCheck.port: 70000 must be at most 65535"] },
    { what: "delay_loop 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, delayLoop: 0 }, expect: ["delayLoop: 0 must be at least 1"] },
    { what: "persistence negative", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, persistenceTimeout: -5 }, expect: ["persistenceTimeout: -5 must be at least 1"] },
    // RealServer
    { what: "NAT not yet", component: "RealServer", schema: realServerSchema, input: { ...rs, mode: "NAT" }, expect: ['mode: "NAT" must be "DR"'] },
    { what: "no VIPs", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: [] }, expect: ["vips: [] must have at least 1 item(s)"] },
    { what: "VIP with prefix", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: ["10.0.0.10/24"] }, expect: ['vips[0]: "10.0.0.10/24" must be an IPv4 or IPv6 address'] },
    { what: "duplicate VIPs", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: ["10.0.0.10", "10.0.0.10"] }, expect: ['vips[1]: "10.0.0.10" duplicates vips[0]'] },
];

describe("validation", () => {
    for (const c of cases) {
        it(`${c.component}: rejects ${c.what}`, () => {
            assert.throws(() => validate(c.component, "x", c.schema, c.input), (err: unknown) => {
                assert.ok(err instanceof LvsValidationError);
                for (const part of c.expect) assert.ok(err.message.includes(`${c.component} "x": `) && err.message.includes(part), `message:\n${err.message}\nshould contain:\n${part}`);
                return true;
            });
        });
    }

    it("reports every problem at once", () => {
        assert.throws(() => validate("VirtualService", "web", virtualServiceSchema, { vip: "nope", port: 0, realServers: [{ address: "10.0.0.1", weight: -1 }] }), (err: LvsValidationError) => {
            assert.equal(err.problems.length, 3);
            assert.equal(err.message.split("\n").length, 3);
            return true;
        });
    });

    it("never shows a secret value", () => {
        assert.throws(() => validate("LvsDirectorPair", "lb", connectionField, { primary: { host: "h", port: 0, privateKey: "TOPSECRETKEY" } }), (err: Error) => {
            assert.ok(!err.message.includes("TOPSECRETKEY"), err.message);
            return true;
        });
    });

    it("fills the defaults declared in the schemas", () => {
        const p = directorPairSchema.parse(pair);
        assert.deepEqual(p.vrrp, { virtualRouterId: 51, advertInt: 1, priorities: { primary: 150, secondary: 100 }, nopreempt: false });
        const s = virtualServiceSchema.parse(svc);
        assert.equal(s.scheduler, "wlc");
        assert.equal(s.mode, "DR");
        assert.equal(s.protocol, "TCP");
        assert.equal(s.realServers[0]!.weight, 1);
        assert.deepEqual(s.healthCheck, { type: "TCP", connectTimeout: 3, retry: 3, delayBeforeRetry: 1 });
    });
});
