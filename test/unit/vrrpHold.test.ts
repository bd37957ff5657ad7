// The secondary director held out of VRRP while the pair's VRRP identity changes, by the real scripts on
// a scratch host (test/helpers/scriptSandbox.ts: systemctl is a stand-in whose keepalived is "active"
// or not, `ip` is real in a namespace of its own with the NIC v0). The pair's VIP is 10.202.0.100 on v0.
import { strict as assert } from "assert";
import { keepalivedApply, keepalivedDelete } from "../../src/remote/keepalivedFile";
import { VRRP_HOLD_FORGET, vrrpHold, vrrpPeerNote, vrrpRelease } from "../../src/remote/vrrpHold";
import { sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

const VIPS = ["10.202.0.100/32@v0"];
const MAIN = { kind: "main" as const, target: "/etc/keepalived/keepalived.conf" };
const SERVICE = { kind: "service" as const, target: "/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-10_80.conf", verifyIpvs: "-t 10.0.0.10:80", verifyScheduler: "wlc" };
const conf = (routerId: number) => `# Managed by pulumi-lvs: test.\nvrrp_instance VI_v0_${routerId} {\n    virtual_router_id ${routerId}\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n`;
// The identity as LvsDirectorPair sends it: the identity text, then the password definition (a secret).
const identity = (routerId: number, pass = "pw") => `instance VI_v0_${routerId} interface v0 virtual_router_id ${routerId}\n$PULUMI_LVS_AUTH_PASS=${pass}\n`;

const hold = (routerId: number, pass?: string): Step => ({ script: vrrpHold(VIPS), input: identity(routerId, pass) });
const apply = (routerId: number): Step => ({ script: keepalivedApply(MAIN), input: conf(routerId) });
const release = (holdOutput = "held host 1"): Step => ({ script: vrrpRelease(VIPS, 1), input: `${holdOutput}\n` });
const note = (holdOutput: string, routerId = 52): Step => ({ script: vrrpPeerNote("lb-secondary-vrrp-release"), input: `${holdOutput}\n${identity(routerId)}` });
const plain = (script: string): Step => ({ script, plain: true });
/** What a check sees: keepalived's state, the hold marker and the recorded identity. */
const STATE = plain([
    'S="$FAKE_STATE/../state/pulumi-lvs"',
    'systemctl is-active -q keepalived && echo "keepalived active" || echo "keepalived stopped"',
    '[ -f "$S/vrrp-hold" ] && echo "marker present" || echo "marker absent"',
    '[ -s "$S/vrrp-identity" ] && echo "identity recorded" || echo "identity not recorded"',
].join("\n"));
const ADD_VIP = plain("ip addr add 10.202.0.100/32 dev v0");
/** A deployed secondary: the pair's keepalived.conf with router id 51, keepalived running. */
const DEPLOYED = [hold(51), apply(51), release()];

describe("the secondary held while the VRRP identity changes (scratch host)", function () {
    this.timeout(120_000);
    const sandbox = sandboxPerSuite();
    const run = (step: Step, before: Step[], after: Step[] = [STATE]) => sandbox().run(step, { before, after, veth: true });

    it("a first deploy (a new secondary) is held: keepalived.conf's command installs it without starting keepalived, for the release to start once the primary speaks VRRP", () => {
        const r = run(hold(51), [], [apply(51), STATE]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^held \S+ \d+$/m);
        assert.match(r.stderr, /held: this new secondary director starts once the primary has the pair's VRRP settings/);
        assert.match(r.after, /keepalived stopped\nmarker present/);
    });

    it("a new secondary whose keepalived already runs (a hand-written pair adopted) is stopped before it gets the pair's files", () => {
        const r = run(hold(51), [plain("systemctl start keepalived")], [apply(51), STATE]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^held \S+ \d+$/m);
        assert.match(r.after, /keepalived stopped\nmarker present/);
    });

    it("a host running keepalived without VRRP (one director, serving) is never made a held secondary", () => {
        const one = { script: keepalivedApply(MAIN), input: "# Managed by pulumi-lvs: one director.\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n" };
        const r = run(hold(51), [one, plain("systemctl start keepalived")]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: refusing to make this host a held secondary director: it runs keepalived without VRRP \(one director/);
        assert.match(r.after, /keepalived active\nmarker absent/);
    });

    it("the hold's delete forgets a hold whose keepalived.conf never came, and leaves a deployed secondary's hold alone", () => {
        const forget: Step = { script: VRRP_HOLD_FORGET, input: "" };
        const stale = run(forget, [hold(51)]);
        assert.equal(stale.status, 0, stale.stderr);
        assert.match(stale.after, /marker absent\nidentity not recorded/);
        const deployed = run(forget, [...DEPLOYED, hold(52)]);
        assert.equal(deployed.status, 0, deployed.stderr);
        assert.match(deployed.after, /keepalived stopped\nmarker present/);
    });

    it("an unchanged identity stops nothing", () => {
        const r = run(hold(51), DEPLOYED);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "not held");
        assert.match(r.after, /keepalived active\nmarker absent/);
    });

    for (const [what, step] of [["router id", hold(52)], ["password", hold(51, "new-pw")]] as const) {
        it(`a new ${what}: keepalived is stopped and stays stopped while the new files are installed, VirtualServices too`, () => {
            const r = run(step, DEPLOYED, [apply(52), { script: keepalivedApply(SERVICE), input: "virtual_server 10.0.0.10 80 {\n}\n" }, STATE]);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^held \S+ \d+$/m);
            assert.match(r.stderr, /held: keepalived stopped on this \(secondary\) director/);
            assert.match(r.after, /keepalived stays stopped: this director is held/);
            assert.match(r.after, /keepalived stopped\nmarker present/);
        });
    }

    it("an identity recorded by no earlier run, on a deployed host (an upgrade), is held as a change", () => {
        const r = run(hold(51), [apply(51)]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^held /m);
    });

    it("a VIP holder deployed by an earlier pulumi-lvs (no identity recorded) is not held: stopping it would drop the service", () => {
        const r = run(hold(52), [apply(51), ADD_VIP]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "not held");
        assert.match(r.after, /keepalived active\nmarker absent\nidentity recorded/);
    });

    it("the primary records the identity once its files are in force: made the secondary later (roles swapped), it is not held", () => {
        const r = run(hold(52), [apply(51), note("not held", 52), apply(52)]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "not held");
        assert.match(r.after, /keepalived active\nmarker absent/);
        const pending = run(note("not held", 52), [apply(51)]);
        assert.equal(pending.status, 0, pending.stderr);
        assert.match(pending.after, /identity not recorded/, "not before its files are in force");
    });

    it("refuses to hold a secondary that holds a VIP (the primary is down), and changes nothing", () => {
        const r = run(hold(52), [...DEPLOYED, ADD_VIP]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: refusing to stop keepalived on this \(secondary\) director for the change of the VRRP settings: it holds the VIP 10\.202\.0\.100\/32 on v0, so the primary is down or does not hear it/);
        assert.match(r.after, /keepalived active\nmarker absent/);
    });

    it("the release starts keepalived with the new files, checks it stays BACKUP, and records the identity", () => {
        const r = run(release(), [...DEPLOYED, hold(52), apply(52)], [STATE, hold(52), STATE]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "released");
        assert.match(r.stderr, /released: keepalived runs again on this \(secondary\) director, as BACKUP/);
        assert.match(r.after, /^keepalived active\nmarker absent\nidentity recorded\n/);
        assert.match(r.after, /keepalived active\nmarker absent\nidentity recorded\n$/, "the same identity again holds nothing");
    });

    it("a primary that failed leaves the secondary held: a later hold keeps it (with a new nonce), the next release starts it", () => {
        const again = run(hold(52), [...DEPLOYED, hold(52)], [STATE, release(), STATE]);
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stdout, /^held /m);
        assert.match(again.stderr, /still held since/);
        assert.match(again.after, /^keepalived stopped\nmarker present\n[\s\S]*keepalived active\nmarker absent\nidentity recorded\n$/);
        // Even back to the old identity: it stays held until a release.
        const back = run(hold(51), [...DEPLOYED, hold(52)]);
        assert.match(back.stdout, /^held /m);
        assert.match(back.after, /keepalived stopped\nmarker present/);
    });

    it("a released secondary that takes the VIPs (it does not hear the primary) is stopped again and stays held", () => {
        const r = sandbox().run(release(), {
            before: [...DEPLOYED, hold(52), apply(52)], after: [STATE], veth: true,
            fault: { tool: "systemctl", mode: "replaced", body: '[ "$1" != start ] || ip addr add 10.202.0.100/32 dev v0\nexec "$REAL" "$@"' },
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: this \(secondary\) director took the VIP 10\.202\.0\.100\/32 on v0 after starting with the new VRRP settings: it does not hear the primary/);
        assert.match(r.after, /keepalived stopped\nmarker present/);
    });

    it("a release with nothing held starts nothing", () => {
        const r = run(release("not held"), [...DEPLOYED, plain("systemctl stop keepalived")]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "not held");
        assert.match(r.after, /keepalived stopped/);
    });

    it("the drift check does not start a held keepalived", () => {
        const r = run({ script: keepalivedApply({ ...MAIN, drift: true, vips: VIPS }), input: conf(52) }, [...DEPLOYED, hold(52), apply(52)]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /keepalived is held \(stopped\) on this director/);
        assert.match(r.after, /keepalived stopped\nmarker present/);
    });

    it("the primary's failures name its held secondary until its keepalived.conf is in force", () => {
        const reject = { tool: "keepalived", mode: "replaced" as const, body: 'echo "Unknown keyword bad" >&2\nexit 5' };
        const failed = sandbox().run(apply(52), { before: [apply(51), note("held director-b 1")], fault: reject, veth: true });
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /FAILED: keepalived rejected[^\n]*\n[\s\S]*the secondary director \(director-b\) is held \(keepalived stopped there\) for this change of the VRRP settings: the pair runs on this director alone[\s\S]*lb-secondary-vrrp-release/);
        // Once keepalived.conf is in force the note goes: a later failure does not claim a held secondary.
        const later = sandbox().run(apply(53), { before: [apply(51), note("held director-b 1"), apply(52)], fault: reject, veth: true });
        assert.equal(later.status, 1);
        assert.doesNotMatch(later.stderr, /is held/);
        const notHeld = sandbox().run(apply(52), { before: [apply(51), note("held director-b 1"), note("not held")], fault: reject, veth: true });
        assert.doesNotMatch(notHeld.stderr, /is held/);
    });

    it("deleting the pair's keepalived.conf forgets the hold and the identity", () => {
        const r = run({ script: keepalivedDelete(MAIN) }, [...DEPLOYED, hold(52)], [STATE]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.after, /marker absent\nidentity not recorded/);
    });
});
