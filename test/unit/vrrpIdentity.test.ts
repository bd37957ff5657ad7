// The pair's VRRP identity: what both directors must share to hear each other. It changes exactly when
// a change applied to one director at a time would split the pair (then the secondary is held, see
// LvsDirectorPair), and stays the same for changes two directors can disagree on for a while.
import { strict as assert } from "assert";
import { directorPairSchema, type VrrpPairModel } from "../../src/model/directorPair";
import type { PairFacts } from "../../src/render/keepalivedMain";
import { vrrpIdentity } from "../../src/render/vrrpIdentity";

const BASE = { interface: "eth0", vips: ["10.0.0.100"], vrrp: { virtualRouterId: 51 } };
const FACTS: PairFacts = {
    primary: { keepalivedVersion: "2.2.7", addresses: { eth0: ["10.0.0.11"], eth1: ["192.168.0.11"] } },
    secondary: { keepalivedVersion: "2.2.7", addresses: { eth0: ["10.0.0.12"], eth1: ["192.168.0.12"] } },
};
const identity = (over: Record<string, unknown> = {}, vrrp: Record<string, unknown> = {}, facts: PairFacts = FACTS) =>
    vrrpIdentity(directorPairSchema.parse({ ...BASE, ...over, vrrp: { ...BASE.vrrp, ...vrrp } }) as VrrpPairModel, facts);

describe("vrrpIdentity: what the two directors must agree on", () => {
    it("names each instance with its NIC, router id, VRRP version, advert interval, authentication and peers", () => {
        assert.equal(identity({ vips: ["10.0.0.100", "fd00::100"] }),
            "instance VI_eth0_51 interface eth0 virtual_router_id 51 vrrp_version 2 advert_int 1 auth auth_pass peers multicast\n" +
            "instance VI_eth0_51_v6 interface eth0 virtual_router_id 51 vrrp_version 3 advert_int 1 auth none peers multicast\n");
    });

    const same: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
        ["other priorities", {}, { priorities: { primary: 200, secondary: 50 } }],
        ["more VIPs of the same family", { vips: ["10.0.0.100", "10.0.0.101/24"] }, {}],
        ["track scripts and interfaces", {}, { trackScripts: [{ name: "chk", command: "/bin/true" }], trackInterfaces: ["eth1"] }],
        ["notify scripts", {}, { notify: { master: "/usr/local/bin/m" } }],
        ["nopreempt", {}, { nopreempt: true }],
        ["a sync daemon and sysctls", { lvsSyncDaemon: { interface: "eth0" }, sysctls: { "net.ipv4.vs.conntrack": 1 } }, {}],
        // Names only one director shows (router_id), or a group's name (not on the wire: the instances keep theirs).
        ["router_ids of the user's", { globalDefs: { routerIds: { primary: "lb01", secondary: "lb02" } } }, {}],
        ["e-mail alerts", { emailAlerts: { to: ["ops@example.com"], smtpServer: { host: "10.0.0.25" } } }, { smtpAlert: true }],
        ["the gratuitous ARP / NA tunables and vrrp_skip_check_adv_addr", { globalDefs: { vrrpGarpInterval: 0.001, vrrpGnaInterval: 0.001, vrrpSkipCheckAdvAddr: true } }, {}],
        ["the name given as the one it would get", {}, { instanceName: "VI_eth0_51" }],
    ];
    for (const [what, over, vrrp] of same) {
        it(`does not change with ${what}`, () => assert.equal(identity(over, vrrp), identity()));
    }

    const differ: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
        ["another virtualRouterId", {}, { virtualRouterId: 52 }],
        ["another authType", {}, { authType: "HMAC" }],
        ["another advertInt", {}, { advertInt: 2 }],
        ["another interface", { interface: "eth1" }, {}],
        ["unicast instead of multicast", {}, { unicast: true }],
        ["an IPv6 VIP (a new instance)", { vips: ["10.0.0.100", "fd00::100"] }, {}],
        ["an inside instance (NAT)", { inside: { interface: "eth1", vips: ["192.168.0.1"] } }, {}],
        // A renamed instance is a new one to keepalived: it leaves the old (and its VIPs) and starts the new
        // one from its initial state, so a rename goes through the hold like a new router id.
        ["a name given to the instance", {}, { instanceName: "VI_1" }],
        // Strict mode drops the password authentication: a strict director and a non-strict one cannot hear each other.
        ["vrrp_strict (acknowledged)", { globalDefs: { vrrpStrict: true, vrrpStrictAcknowledged: true } }, {}],
    ];
    for (const [what, over, vrrp] of differ) {
        it(`changes with ${what}`, () => assert.notEqual(identity(over, vrrp), identity()));
    }

    it("an inside instance's name and the IPv6 instance's name are in it; the sync group's name is not", () => {
        const nat = { vips: ["10.0.0.100", "fd00::100"], inside: { interface: "eth1", vips: ["192.168.0.1"] } };
        const base = identity(nat);
        assert.notEqual(identity({ ...nat, inside: { ...nat.inside, instanceName: "LAN" } }), base);
        assert.notEqual(identity(nat, { instanceNameV6: "VI_1_v6" }), base);
        assert.equal(identity(nat, { syncGroupName: "LB" }), base);
        assert.match(identity(nat, { instanceName: "VI_1" }), /^instance VI_1 interface eth0 virtual_router_id 51 /);
    });

    it("unicast: changes with a peer's address, and is the same text for both directors", () => {
        const before = identity({}, { unicast: true });
        assert.match(before, /peers 10\.0\.0\.11,10\.0\.0\.12\n/);
        assert.notEqual(identity({}, { unicast: true, unicastAddresses: { primary: { eth0: ["10.0.0.21"] }, secondary: {} } }), before);
    });
});
