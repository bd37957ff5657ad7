// Every chain pulumi-lvs creates has a name iptables accepts (at most 28 characters), for every valid
// pair name, fwmark and service, and the names stay unique per pair and per service.
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { directorPairSchema } from "../../src/model/directorPair";
import { isIp, safeName } from "../../src/model/primitives";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { realServerSchema } from "../../src/model/realServer";
import { renderNatRules, renderRealServerRules, renderServiceRules } from "../../src/render/firewall";
import { natRuleSet, realServerRuleSet, serviceRuleSet } from "../../src/render/ruleSets";

const MAX = 28;
const validName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/).filter((n) => safeName.safeParse(n).success);
const mark = fc.integer({ min: 1, max: 2147483647 });

/** The chains fw.sh makes for a rules file: "<set>_<hook>" for each hook used. */
const chains = (set: string, rules: string) => [...new Set(rules.split("\n").filter((l) => /^[46] /.test(l)).map((l) => `${set}_${l.split(" ")[2]}`))];

const natPair = directorPairSchema.parse({
    interface: "eth0", vips: ["10.201.0.100", "fd00:201::100"], vrrp: { virtualRouterId: 51 },
    inside: { interface: "eth1", vips: ["10.202.0.100/24"], masquerade: ["10.202.0.0/24", "fd00:202::/64"] },
});
// NAT: the fwmark set has the mark (PREROUTING) and the replies (FORWARD).
const fwmarkService = (m: number) => virtualServiceSchema.parse({ fwmark: { mark: m, vip: "10.201.0.100", ports: [80, 443] }, mode: "NAT", realServers: [{ address: "10.202.0.21" }] });
const fwmarkRuleSet = (m: number) => serviceRuleSet(fwmarkService(m));
const protocol = fc.constantFrom("TCP" as const, "UDP" as const, "SCTP" as const);
const port = fc.integer({ min: 1, max: 65535 });
const vip = fc.oneof(fc.ipV4(), fc.ipV6()).filter(isIp);

describe("firewall chain names", () => {
    it("fit iptables' 28 characters for every valid pair name (NAT: forwarding and masquerading)", () => {
        fc.assert(fc.property(validName, (name) => {
            const set = natRuleSet(name);
            const names = chains(set, renderNatRules(name, natPair)!);
            assert.ok(names.length >= 2);
            for (const c of names) assert.ok(c.length <= MAX, `${c} (${c.length} characters) for pair "${name}"`);
        }), { numRuns: 500, examples: [["frontend-lb-1"], ["a".repeat(63)], ["lb"]] });
    });

    it("fit for every fwmark", () => {
        fc.assert(fc.property(mark, (m) => {
            const names = chains(fwmarkRuleSet(m), renderServiceRules("s", fwmarkService(m), "eth1")!);
            assert.equal(names.length, 2);
            for (const c of names) assert.ok(c.length <= MAX, `${c} (${c.length} characters) for mark ${m}`);
        }), { numRuns: 500, examples: [[1], [99999999], [100000000], [2147483647]] });
    });

    it("fit for every NAT service (VIP, port, protocol)", () => {
        fc.assert(fc.property(vip, port, protocol, (v, p, proto) => {
            const svc = virtualServiceSchema.parse({ vip: v, port: p, protocol: proto, mode: "NAT", realServers: [{ address: v.includes(":") ? "fd00:202::31" : "10.202.0.31" }], ...(proto === "SCTP" ? { healthCheck: { type: "PING" } } : {}) });
            const names = chains(serviceRuleSet(svc), renderServiceRules("s", svc, "eth1")!);
            assert.equal(names.length, 1);
            for (const c of names) assert.ok(c.length <= MAX, `${c} (${c.length} characters) for ${v}:${p}/${proto}`);
        }), { numRuns: 500 });
    });

    it("fit for every RealServer name (its INPUT chain), a firewall pair's and a firewall service's INPUT chains too", () => {
        const rs = realServerSchema.parse({ mode: "TUN", vips: ["10.201.0.100", "fd00:201::100"], firewall: { ports: [{ port: 80 }] } });
        const openPair = { ...natPair, firewall: true };
        fc.assert(fc.property(validName, validName, port, (name, stack, p) => {
            const set = realServerRuleSet(name, `proj/${stack}/${name}`);
            const svc = virtualServiceSchema.parse({ vip: "fd00:201::100", port: p, realServers: [{ address: "fd00:201::21" }] });
            const names = [...chains(set, renderRealServerRules(name, rs)!), ...chains(natRuleSet(name), renderNatRules(name, openPair)!), ...chains(serviceRuleSet(svc), renderServiceRules("s", svc, "eth0", true)!)];
            assert.ok(names.some((c) => c.startsWith(`${set}_INPUT`)));
            for (const c of names) assert.ok(c.length <= MAX, `${c} (${c.length} characters) for RealServer "${name}"`);
        }), { numRuns: 500, examples: [["a".repeat(63), "s", 65535]] });
        // Two stacks with a RealServer of the same name on one host get sets of their own.
        assert.notEqual(realServerRuleSet("rs1", "p/a/rs1"), realServerRuleSet("rs1", "p/b/rs1"));
        assert.match(realServerRuleSet("web-1", "p/s/web-1"), /^PLVS_R_web_1_[0-9a-f]{5}$/);
    });

    it("stay unique: pair names that differ (even only past the part that is kept) get different sets", () => {
        const names = ["frontend-lb-1", "frontend-lb-2", "frontend-lb-10", `${"x".repeat(40)}a`, `${"x".repeat(40)}b`];
        const pairSets = names.map(natRuleSet);
        assert.equal(new Set(pairSets).size, names.length, pairSets.join(" "));
        fc.assert(fc.property(mark, mark, (a, b) => a === b || fwmarkRuleSet(a) !== fwmarkRuleSet(b)));
        // Services differing only by VIP (the part that is hashed).
        const sets = Array.from({ length: 256 }, (_, i) => serviceRuleSet({ vip: `10.201.${i}.100`, port: 443, protocol: "TCP" }));
        assert.equal(new Set(sets).size, sets.length);
    });

    it("stay as they were where they fit: short pair names and marks keep their readable names", () => {
        assert.equal(natRuleSet("lb"), "PLVS_lb");
        assert.equal(natRuleSet("edge"), "PLVS_edge");
        assert.equal(fwmarkRuleSet(5), "PLVS_FWM_5");
        assert.equal(fwmarkRuleSet(99999999), "PLVS_FWM_99999999");
        assert.equal(fwmarkRuleSet(2147483647), "PLVS_FWMx7fffffff", "a long mark in hex, as iptables shows marks");
        assert.match(natRuleSet("frontend-lb-1"), /^PLVS_front_[0-9a-f]{5}$/);
    });
});
