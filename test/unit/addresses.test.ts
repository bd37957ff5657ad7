// Every address is canonical once validated: lowercase, compressed IPv6 as `ip` prints it (RFC 5952,
// inet_ntop), so scripts that compare with `ip` output, uniqueness keys and file names see one spelling.
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { directorPairSchema } from "../../src/model/directorPair";
import { ipAddress, ipWithPrefix } from "../../src/model/primitives";
import { realServerSchema } from "../../src/model/realServer";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { serviceFile, serviceKey } from "../../src/render/keys";
import { expectedState } from "../../src/render/realServerHost";

/** The address as the WHATWG URL parser writes it: RFC 5952, but the last 32 bits always in hex. */
const urlForm = (a: string) => new URL(`http://[${a}]`).hostname.slice(1, -1);
/** "::ffff:1.2.3.4" -> "::ffff:102:304": the dotted tail inet_ntop keeps for IPv4-mapped addresses, in hex. */
const dottedTailToHex = (a: string) => a.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, w, x, y, z) =>
    `${((+w << 8) | +x).toString(16)}:${((+y << 8) | +z).toString(16)}`);

describe("addresses are canonical after validation", () => {
    it("IPv6 in any case or spelling comes out as `ip` prints it, in every field that holds an address", () => {
        const pair = directorPairSchema.parse({
            interface: "eth0", vips: ["FD00:201:0::100/64", "10.0.0.10"],
            inside: { interface: "eth1", vips: ["FD00:202::0001"], masquerade: ["FD00:202:0:0::/064"] },
            vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: ["FD00:201::11"] }, secondary: { eth0: ["fd00:201:0:0:0:0:0:12"] } } },
        });
        assert.deepEqual(pair.vips, ["fd00:201::100/64", "10.0.0.10"]);
        assert.deepEqual(pair.inside!.vips, ["fd00:202::1"]);
        assert.deepEqual(pair.inside!.masquerade, ["fd00:202::/64"]);
        assert.deepEqual(pair.vrrp!.unicastAddresses, { primary: { eth0: ["fd00:201::11"] }, secondary: { eth0: ["fd00:201::12"] } });

        const svc = virtualServiceSchema.parse({
            vip: "FD00:201::100", port: 80,
            sorryServer: { address: "FD00:201::0:99" },
            realServers: [{ address: "FD00:201::21" }, { address: "fd00:201:0::22" }],
        });
        assert.equal(svc.vip, "fd00:201::100");
        assert.equal(svc.sorryServer!.address, "fd00:201::99");
        assert.deepEqual(svc.realServers.map((r) => r.address), ["fd00:201::21", "fd00:201::22"]);
        assert.equal(serviceKey(svc), "[fd00:201::100]:80/tcp");
        assert.equal(serviceFile(svc), "/etc/keepalived/pulumi-lvs/services/tcp_fd00-201--100_80.conf");
        const fwm = virtualServiceSchema.parse({ fwmark: { mark: 1, vip: "FD00::A", ports: [80] }, realServers: [{ address: "FD00::B" }] });
        assert.equal(fwm.fwmark!.vip, "fd00::a");

        const rs = realServerSchema.parse({ mode: "DR", vips: ["FD00:201::100"] });
        assert.deepEqual(expectedState(rs), ["lo=fd00:201::100/128"]);
        const nat = realServerSchema.parse({ mode: "NAT", gateway: "FD00:202::1" });
        assert.equal(nat.mode === "NAT" && nat.gateway, "fd00:202::1");
    });

    it("two spellings of one address are the same address", () => {
        assert.throws(() => realServerSchema.parse({ mode: "DR", vips: ["fd00::10", "FD00:0::10"] }), /duplicates vips\[0\]/);
        assert.throws(() => directorPairSchema.parse({ interface: "eth0", vips: ["fd00::10/64", "FD00::0:10"], vrrp: { virtualRouterId: 1 } }), /is the same address as vips\[0\]/);
        assert.throws(() => virtualServiceSchema.parse({ vip: "fd00::10", port: 80, realServers: [{ address: "fd00::21" }, { address: "FD00::21" }] }), /duplicates realServers\[0\]/);
        assert.throws(() => virtualServiceSchema.parse({ vip: "fd00::10", port: 80, realServers: [{ address: "FD00::10" }] }), /must not be the VIP itself/);
    });

    it("rejects IPv4 with leading zeros or in other notations, and IPv6 with a zone", () => {
        for (const bad of ["010.0.0.1", "10.0.0.01", "0x0a.0.0.1", "10.1", "fe80::1%eth0"]) {
            assert.equal(ipAddress.safeParse(bad).success, false, bad);
            assert.equal(ipWithPrefix.safeParse(`${bad}/24`).success, false, `${bad}/24`);
        }
    });

    it("property: an IPv6 address is canonical, the same address, and independent of case and spelling", () => {
        fc.assert(fc.property(fc.ipV6(), fc.boolean(), (a, upper) => {
            const input = upper ? a.toUpperCase() : a;
            const out = ipAddress.parse(input);
            assert.equal(ipAddress.parse(out), out, "idempotent");
            assert.equal(out, ipAddress.parse(a.toLowerCase()), "case does not matter");
            assert.equal(urlForm(out), urlForm(input), "the same address");
            assert.equal(dottedTailToHex(out), urlForm(input), "RFC 5952 (with inet_ntop's dotted tail)");
            assert.equal(out, out.toLowerCase());
            const prefix = ipWithPrefix.parse(`${input}/064`);
            assert.equal(prefix, `${out}/64`);
        }), { numRuns: 500, seed: 20260214 });
    });

    it("property: dotted-decimal IPv4 is kept; every other IPv4 notation is rejected", () => {
        fc.assert(fc.property(fc.ipV4(), (a) => assert.equal(ipAddress.parse(a), a)), { numRuns: 200, seed: 7 });
        fc.assert(fc.property(fc.ipV4Extended(), (a) => {
            const r = ipAddress.safeParse(a);
            if (r.success) assert.equal(r.data, a, `${a} is plain dotted decimal`);
            assert.equal(r.success, /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(a), a);
        }), { numRuns: 300, seed: 8 });
    });
});
