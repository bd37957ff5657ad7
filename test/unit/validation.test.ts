// Bad input is rejected before any host is touched, with every problem named: component, field
// path, value and rule. Table-driven: each row is one invalid configuration.
import { strict as assert } from "assert";
import { directorPairSchema } from "../../src/model/directorPair";
import { formatProblem, LvsValidationError } from "../../src/model/errors";
import { claimRouterIds } from "../../src/model/pairClaims";
import { resetUniqueClaims } from "../../src/model/uniqueness";
import { validate } from "../../src/model/validate";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { cases, connectionField, pair, svc } from "./validationCases";

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

    it("rejects a router id that another pair already uses on the same NIC", () => {
        resetUniqueClaims();
        assert.deepEqual(claimRouterIds("a", [{ interface: "eth0", virtualRouterId: 51, path: ["vrrp", "virtualRouterId"], interfacePath: ["interface"] }]), []);
        assert.deepEqual(claimRouterIds("a", [{ interface: "eth0", virtualRouterId: 51, path: ["vrrp", "virtualRouterId"], interfacePath: ["interface"] }]), [], "a pair may claim its own id again");
        assert.deepEqual(claimRouterIds("c", [{ interface: "eth1", virtualRouterId: 51, path: ["vrrp", "virtualRouterId"], interfacePath: ["interface"] }]), [], "another NIC is another segment");
        const [p] = claimRouterIds("b", [{ interface: "eth0", virtualRouterId: 51, path: ["vrrp", "virtualRouterId"], interfacePath: ["interface"] }]);
        assert.equal(formatProblem("LvsDirectorPair", "b", p!), 'LvsDirectorPair "b": vrrp.virtualRouterId: 51 is already used on eth0 by LvsDirectorPair "a": router ids must be unique per segment');
        resetUniqueClaims();
    });

    it("never shows a secret value", () => {
        assert.throws(() => validate("LvsDirectorPair", "lb", connectionField, { primary: { host: "h", port: 0, privateKey: "TOPSECRETKEY" } }), (err: Error) => {
            assert.ok(!err.message.includes("TOPSECRETKEY"), err.message);
            return true;
        });
    });

    it("fills the defaults declared in the schemas", () => {
        const p = directorPairSchema.parse(pair);
        assert.deepEqual(p.vrrp, { virtualRouterId: 51, advertInt: 1, priorities: { primary: 150, secondary: 100 }, nopreempt: false, unicast: false, authType: "PASS", trackInterfaces: [], trackScripts: [], notify: {} });
        const s = virtualServiceSchema.parse(svc);
        assert.equal(s.scheduler, "wlc");
        assert.equal(s.mode, "DR");
        assert.equal(s.protocol, "TCP");
        assert.equal(s.realServers[0]!.weight, 1);
        // No timing of our own: keepalived's defaults apply (README, "Health checks").
        assert.deepEqual(s.healthCheck, { type: "TCP" });
        // A TCP check of a UDP-only server fails, and IPVS loses every server: UDP services probe with UDP.
        assert.deepEqual(virtualServiceSchema.parse({ ...svc, protocol: "UDP" }).healthCheck, { type: "UDP", requireReply: false });
        assert.deepEqual(virtualServiceSchema.parse({ ...svc, protocol: "UDP", healthCheck: { type: "PING" } }).healthCheck, { type: "PING" }, "a check given is kept");
    });
});
