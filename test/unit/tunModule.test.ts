// scripts/unit.sh and the ipip module of a TUN RealServer, on a scratch host (test/helpers/scriptSandbox.ts;
// modprobe, lsmod and rmmod are test/helpers/host-fakes, whose ipip brings a tunl0): destroy unloads what
// the create loaded (ipip and the modules it needed), and leaves a module that was loaded before, one that
// something else still uses (another ipip tunnel, an address on tunl0, another user), and one that another
// RealServer on the host still claims.
import { strict as assert } from "assert";
import { unitApply, unitDelete, type UnitExpectations } from "../../src/remote/unit";
import { sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

// The TUN unit as renderVipUnit writes it, with the fake systemctl's ExecStart lines (it runs no ExecStartPre).
const TUN_UNIT = "[Unit]\nDescription=test\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=modprobe ipip\nExecStart=ip link set tunl0 up arp off\nExecStart=ip addr replace 10.0.0.10/32 dev tunl0\n";
const DR_UNIT = "[Unit]\nDescription=test\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=ip addr replace 10.0.0.10/32 dev lo\n";
const TUN: UnitExpectations = { expect: ["tunl0=10.0.0.10/32"], link: "tunl0", module: "ipip" };
const UNIT = "pulumi-lvs-vip-rs6.service";
const OTHER = { urn: "urn:pulumi:test::unit::pulumi-lvs:index:RealServer$command:remote:Command::rs7-vips", token: "7777777777777777" };

const apply = (unit = UNIT): Step => ({ script: unitApply(unit, TUN), input: TUN_UNIT });
const remove = (unit = UNIT): Step => ({ script: unitDelete(unit, TUN) });
/** The same scripts run by another resource (another RealServer on this host, same stack). */
const asOther = (s: Step): Step => ({ ...s, script: `export PLVS_OWNER='${OTHER.urn}' PLVS_TOKEN='${OTHER.token}'\n${s.script}` });
const plain = (script: string): Step => ({ script, plain: true });
/** The loaded modules (sorted) and whether tunl0 exists. */
const state = plain('echo "modules: $(lsmod | awk \'NR > 1 { print $1 }\' | sort | tr \'\\n\' \' \')"; ip link show tunl0 >/dev/null 2>&1 && echo tunl0 || echo no-tunl0');

describe("unit.sh: the ipip module of a TUN RealServer", function () {
    this.timeout(60_000);
    const sandbox = sandboxPerSuite();

    it("ipip not loaded before: create loads it, destroy unloads it and the modules it needed", () => {
        const r = sandbox().run(remove(), { before: [apply()], after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /unloaded ipip ip_tunnel tunnel4 \(not loaded before pulumi-lvs\)/);
        assert.equal(r.after, "modules: \nno-tunl0\n");
        assert.ok(r.tools.includes("rmmod"));
    });

    it("ipip loaded before: destroy sets tunl0 down and leaves the module", () => {
        const r = sandbox().run(remove(), { before: [plain("modprobe ipip"), apply()], after: [state, plain("ip -o link show tunl0")] });
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /unloaded|left ipip/);
        assert.match(r.after, /^modules: ip_tunnel ipip tunnel4 \ntunl0\n/);
        assert.doesNotMatch(r.after, /,UP/, "tunl0 is down again");
    });

    it("a module ipip needs that was loaded before stays; the rest goes", () => {
        const r = sandbox().run(remove(), { before: [plain("modprobe tunnel4"), apply()], after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /unloaded ipip ip_tunnel \(not loaded before pulumi-lvs\)/);
        assert.equal(r.after, "modules: tunnel4 \nno-tunl0\n");
    });

    it("ipip still in use (another user, an address on tunl0 someone else put there): left loaded, saying why", () => {
        let r = sandbox().run(remove(), { before: [apply(), plain('echo 1 > "$FAKE_STATE/users.ipip"')], after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /left ipip loaded \(pulumi-lvs loaded it\): ipip is in use \(1 users\)/);
        assert.match(r.after, /^modules: ip_tunnel ipip tunnel4 \n/);
        r = sandbox().run(remove(), { before: [apply(), plain("ip addr add 192.0.2.1/32 dev tunl0")], after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /left ipip loaded \(pulumi-lvs loaded it\): tunl0 still has addresses/);
        assert.match(r.after, /^modules: ip_tunnel ipip tunnel4 \ntunl0\n/);
    });

    it("another ipip tunnel on the host: left loaded (unloading would delete the tunnel)", () => {
        // `ip -o link show type ipip` as a host with a second tunnel answers it (no ipip module here).
        const ip = 'if [ "$*" = "-o link show type ipip" ]; then echo "2: tunl0@NONE: <NOARP> mtu 1480"; echo "7: tun-office@NONE: <POINTOPOINT,NOARP,UP> mtu 1480"; else exec "$REAL" "$@"; fi';
        const r = sandbox().run(remove(), { before: [apply()], after: [state], fault: { tool: "ip", mode: "replaced", body: ip } });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /left ipip loaded \(pulumi-lvs loaded it\): other ipip tunnels use it: tun-office/);
        assert.match(r.after, /^modules: ip_tunnel ipip tunnel4 \n/);
    });

    it("two TUN RealServers on one host: the first destroy leaves ipip to the second, the last one unloads it", () => {
        const other = "pulumi-lvs-vip-rs7.service";
        const r = sandbox().run(remove(), { before: [apply(), asOther(apply(other))], after: [state, asOther(remove(other)), state] });
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /unloaded/);
        assert.match(r.after, /^modules: ip_tunnel ipip tunnel4 \ntunl0\n/, "still loaded after the first destroy: rs7 uses it");
        assert.match(r.after, /unloaded ipip ip_tunnel tunnel4 \(not loaded before pulumi-lvs\)\nmodules: \nno-tunl0\n$/, "gone after the second");
    });

    it("a TUN RealServer turned into DR: the module goes with the old mode", () => {
        const dr: Step = { script: unitApply(UNIT, { expect: ["lo=10.0.0.10/32"] }), input: DR_UNIT };
        const r = sandbox().run(dr, { before: [apply()], after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /unloaded ipip ip_tunnel tunnel4/);
        assert.equal(r.after, "modules: \nno-tunl0\n");
    });

    it("without lsmod nothing is recorded as ours, so nothing is unloaded", () => {
        const r = sandbox().run(apply(), { fault: { tool: "lsmod", mode: "missing" }, after: [remove(), state] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.after, /modules: ip_tunnel ipip tunnel4 \n/);
    });
});
