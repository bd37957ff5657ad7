// Service files changed at the same time are validated and loaded together (scripts/batch.sh): the
// commands of several VirtualServices run at once on a scratch host, as Pulumi runs them, and keepalived
// is loaded once for all of them, while each still succeeds or fails on its own.
import { strict as assert } from "assert";
import { keepalivedApply, keepalivedDelete, type KeepalivedFile } from "../../src/remote/keepalivedFile";
import { linesOf, loadsOf, sandboxPerSuite, type Step, type StepOutcome } from "../helpers/scriptSandbox";

const MAIN: KeepalivedFile = { kind: "main", target: "/etc/keepalived/keepalived.conf" };
const MAIN_CONF = "# Managed by pulumi-lvs: test.\nglobal_defs {\n}\nvrrp_instance VI_1 {\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n";
/** One director's keepalived.conf: no VRRP, so nothing to run before its first service. */
const ONE_CONF = "# Managed by pulumi-lvs: test.\nglobal_defs {\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n";
const SERVICES = "/etc/keepalived/pulumi-lvs/services";
// The fakes: ipvsadm shows the services of the files keepalived loaded; sleep really waits (the leader's
// gathering window).
const FAKES = { FAKE_IPVS_FROM_FILES: "1", FAKE_REAL_SLEEP: "1" };

function service(n: number): KeepalivedFile {
    return { kind: "service", target: `${SERVICES}/tcp_10-0-0-${n}_80.conf`, verifyIpvs: `-t 10.0.0.${n}:80`, verifyScheduler: "wlc" };
}
/** A service file the fakes understand: "shows" names what ipvsadm then reports for it. */
function content(n: number, opts: { shows?: string; invalid?: boolean } = {}): string {
    return `# fake-ipvs -t 10.0.0.${n}:80=${opts.shows ?? `TCP  10.0.0.${n}:80 wlc`}\n${opts.invalid ? "# fake-invalid\n" : ""}virtual_server 10.0.0.${n} 80 {\n}\n`;
}
function owner(n: number): Record<string, string> {
    return { ...FAKES, PLVS_OWNER: `urn:pulumi:test::unit::pulumi-lvs:index:VirtualService$command:remote:Command::vs${n}`, PLVS_TOKEN: `${n}`.padStart(16, "0") };
}
const apply = (n: number, text = content(n)): Step => ({ script: keepalivedApply(service(n)), input: text, env: owner(n) });
const remove = (n: number): Step => ({ script: keepalivedDelete(service(n)), env: owner(n) });
const mainConf: Step = { script: keepalivedApply(MAIN), input: MAIN_CONF, env: FAKES };
/** What the scratch host holds afterwards: the loads, the service files, the IPVS services, the state folder. */
const report: Step = {
    plain: true,
    script: [
        'R=$(dirname "$FAKE_STATE")',
        'echo "loads $(wc -l < "$FAKE_STATE/keepalived-loads")"',
        'for f in "$R"/targets/keepalived/pulumi-lvs/services/*.conf; do [ -f "$f" ] && echo "file ${f##*/}"; done',
        'for n in 1 2 3 4 5 6; do FAKE_IPVS_FROM_FILES=1 ipvsadm -Ln -t 10.0.0.$n:80 2>/dev/null | sed "s/^/ipvs /"; done',
        '{ find "$R/state" -path "*batch*"; find "$R/targets" -name ".stage*"; } | sed "s#^$R/##; s/^/left /"',
        'ls "$R/state/pulumi-lvs/claims" 2>/dev/null | sed "s/^/claim /"',
    ].join("\n"),
};
const ok = (o: StepOutcome, n: number) => assert.equal(o.status, 0, `vs${n}: ${o.stderr}`);

describe("service files changed together: one validation and one reload (scratch host)", function () {
    this.timeout(120_000);
    const box = sandboxPerSuite();

    it("one director: keepalived.conf alone starts nothing (nothing to run); the first services start keepalived, once, and are verified", () => {
        const oneConf: Step = { script: keepalivedApply(MAIN), input: ONE_CONF, env: FAKES };
        const r = box().run(oneConf, { after: [{ plain: true, script: 'systemctl is-active -q keepalived && echo "keepalived active" || echo "keepalived stopped"' }] });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /keepalived starts with the first VirtualService/);
        assert.match(r.after, /keepalived stopped/);
        const first = box().run(apply(1), { before: [oneConf], together: [apply(2)], after: [report], serviceFile: service(1).target, gate: true });
        for (const [i, o] of [first, ...first.together].entries()) ok(o, i + 1);
        assert.deepEqual(linesOf(first.after, "ipvs"), ["TCP  10.0.0.1:80 wlc", "TCP  10.0.0.2:80 wlc"]);
        assert.equal(loadsOf(first.after), 1, `one start, no reload after it: ${first.after}`);
    });

    it("five services created at once: all applied and in IPVS, each reports its own file, keepalived loaded once for them", () => {
        const r = box().run(apply(1), { before: [mainConf], together: [2, 3, 4, 5].map((n) => apply(n)), after: [report], serviceFile: service(1).target, gate: true });
        const all = [{ status: r.status, stdout: r.stdout, stderr: r.stderr }, ...r.together];
        all.forEach((o, i) => {
            ok(o, i + 1);
            assert.match(o.stdout, new RegExp(`^ok \\S*/keepalived/pulumi-lvs/services/tcp_10-0-0-${i + 1}_80\\.conf\n$`), o.stdout);
            assert.match(o.stderr, new RegExp(`tcp_10-0-0-${i + 1}_80\\.conf updated`), o.stderr);
            assert.doesNotMatch(o.stderr, /tcp_10-0-0-\d_80\.conf updated[\s\S]*tcp_10-0-0-\d_80\.conf updated/, "each reports only its own file");
        });
        assert.deepEqual(linesOf(r.after, "file"), [1, 2, 3, 4, 5].map((n) => `tcp_10-0-0-${n}_80.conf`));
        assert.deepEqual(linesOf(r.after, "ipvs"), [1, 2, 3, 4, 5].map((n) => `TCP  10.0.0.${n}:80 wlc`));
        // keepalived.conf's start, then one reload for the five (not five).
        assert.equal(loadsOf(r.after), 2, r.after);
        assert.deepEqual(linesOf(r.after, "left"), [], "no batch folder is left behind");
        assert.equal(linesOf(r.after, "claim").filter((c) => c.includes("services")).length, 5);
    });

    it("a reload is verified once keepalived reports it done (its journal's \"Reload complete\"), not after a fixed second; a keepalived that does not report it gets the second", () => {
        const changed = (n: number) => content(n).replace("{\n}", "{\n  # changed\n}");
        const forget: Step = { plain: true, script: 'rm -f "$FAKE_STATE/sleeps"' };
        const sleeps: Step = { plain: true, script: 'sed "s/^/sleep /" "$FAKE_STATE/sleeps" 2>/dev/null || true' };
        // Many lines after it: read whole, not through a pipe that grep -q would cut (SIGPIPE under pipefail).
        const withJournal = { ...apply(1, changed(1)), env: { ...owner(1), FAKE_JOURNAL_RELOADS: "1", FAKE_JOURNAL_NOISE: "5000" } };
        const reported = box().run(withJournal, { before: [mainConf, apply(1), forget], after: [sleeps, report], serviceFile: service(1).target });
        ok(reported, 1);
        assert.equal(loadsOf(reported.after), 3, reported.after);
        // The leader's gathering waits (0.3 s) and nothing else: no wait after the reload.
        assert.deepEqual(linesOf(reported.after, "sleep").filter((t) => t !== "0.3"), [], reported.after);
        const silent = box().run(apply(1, changed(1)), { before: [mainConf, apply(1), forget], after: [sleeps, report], serviceFile: service(1).target });
        ok(silent, 1);
        assert.deepEqual(linesOf(silent.after, "sleep").filter((t) => t !== "0.3"), Array(10).fill("0.1"), silent.after);
    });

    it("a file keepalived refuses fails its own command with keepalived's message; the others are applied by one reload", () => {
        const r = box().run(apply(3, content(3, { invalid: true })), { before: [mainConf, apply(1)], together: [2, 4, 5].map((n) => apply(n)), after: [report], serviceFile: service(1).target, gate: true });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^pulumi-lvs\[[^\]]*\]: FAILED: keepalived rejected the new \S*tcp_10-0-0-3_80\.conf \(keepalived -t\); nothing was changed\n.*Unknown keyword 'fake-invalid' in \S*\/keepalived\/pulumi-lvs\/services\/tcp_10-0-0-3_80\.conf/, r.stderr);
        assert.doesNotMatch(r.stderr, /\.stage\./, "keepalived's message names the host's paths, not the staging tree");
        r.together.forEach((o, i) => ok(o, [2, 4, 5][i]!));
        assert.deepEqual(linesOf(r.after, "file"), [1, 2, 4, 5].map((n) => `tcp_10-0-0-${n}_80.conf`));
        assert.deepEqual(linesOf(r.after, "ipvs"), [1, 2, 4, 5].map((n) => `TCP  10.0.0.${n}:80 wlc`));
        assert.equal(loadsOf(r.after), 3, `start, vs1's reload, one for 2, 4 and 5: ${r.after}`);
    });

    it("a service that does not show in IPVS after the reload fails alone: its previous file comes back, the others stay", () => {
        const r = box().run(apply(2, content(2, { shows: "TCP  10.0.0.2:80 rr" })), { before: [mainConf, apply(1), apply(2)], together: [1, 3].map((n) => apply(n, content(n).replace("{\n}", "{\n  # changed\n}"))), after: [report], serviceFile: service(1).target, gate: true });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: after the reload the IPVS service -t 10\.0\.0\.2:80 is TCP {2}10\.0\.0\.2:80 rr, not using scheduler wlc; the previous \S*tcp_10-0-0-2_80\.conf was restored/, r.stderr);
        r.together.forEach((o, i) => ok(o, [1, 3][i]!));
        assert.deepEqual(linesOf(r.after, "ipvs"), ["TCP  10.0.0.1:80 wlc", "TCP  10.0.0.2:80 wlc", "TCP  10.0.0.3:80 wlc"], "vs2's previous file is loaded again");
        // start, 1, 2, then the batch's reload and the one without vs2's new file.
        assert.equal(loadsOf(r.after), 5, r.after);
    });

    it("a failed reload puts every file of the batch back and fails each command", () => {
        const failingReload = { tool: "systemctl", mode: "replaced" as const, body: '[ "$1" != reload ] || { echo "Job for keepalived.service failed" >&2; exit 1; }\nexec "$REAL" "$@"' };
        const r = box().run(apply(1, content(1).replace("{\n}", "{\n  # changed\n}")), { before: [mainConf, apply(1)], together: [apply(2)], fault: failingReload, after: [report], serviceFile: service(1).target, gate: true });
        for (const [o, n] of [[{ status: r.status, stderr: r.stderr }, 1], [r.together[0]!, 2]] as const) {
            assert.equal(o.status, 1, o.stderr);
            assert.match(o.stderr, new RegExp(`FAILED: reloading keepalived failed \\(Job for keepalived.service failed\\); the previous \\S*tcp_10-0-0-${n}_80\\.conf was restored`), o.stderr);
        }
        assert.deepEqual(linesOf(r.after, "file"), ["tcp_10-0-0-1_80.conf"]);
        assert.deepEqual(linesOf(r.after, "ipvs"), ["TCP  10.0.0.1:80 wlc"]);
    });

    it("four services deleted at once: one reload, every file and claim gone, the state folder too", () => {
        const made = [1, 2, 3, 4].map((n) => apply(n));
        const r = box().run(remove(1), { before: [mainConf, ...made], together: [2, 3, 4].map(remove), after: [report], serviceFile: service(1).target, gate: true });
        [{ status: r.status, stdout: r.stdout, stderr: r.stderr }, ...r.together].forEach((o, i) => ok(o, i + 1));
        assert.deepEqual(linesOf(r.after, "file"), []);
        assert.deepEqual(linesOf(r.after, "ipvs"), []);
        assert.equal(loadsOf(r.after), 6, `start, four creates, one reload for the four deletes: ${r.after}`);
        assert.deepEqual(linesOf(r.after, "left"), []);
        assert.deepEqual(linesOf(r.after, "claim").filter((c) => c.includes("services")), []);
    });

    it("creates and deletes at once (a rename of one service, new ones, removed ones) go in one batch", () => {
        const r = box().run(apply(5), { before: [mainConf, ...[1, 2, 3].map((n) => apply(n))], together: [remove(1), remove(2), apply(4), apply(3, content(3).replace("{\n}", "{\n  # changed\n}"))], after: [report], serviceFile: service(1).target, gate: true });
        [{ status: r.status, stdout: r.stdout, stderr: r.stderr }, ...r.together].forEach((o, i) => ok(o, i));
        assert.deepEqual(linesOf(r.after, "file"), [3, 4, 5].map((n) => `tcp_10-0-0-${n}_80.conf`));
        assert.equal(loadsOf(r.after), 5, r.after);
    });

    it("a change queued by a command that is gone (cancelled while it waited) is dropped, not applied by the next batch", () => {
        // vs1's delete queued, then its command ended (pid 1 with another start time stands for it).
        const queued: Step = {
            plain: true,
            script: [
                'R=$(dirname "$FAKE_STATE"); e="$R/state/pulumi-lvs/batch/queue/1000000000000000000.1"',
                'mkdir -p "$e" "$R/state/pulumi-lvs/batch/done"',
                'echo remove > "$e/action"; echo "$R/targets/keepalived/pulumi-lvs/services/tcp_10-0-0-1_80.conf" > "$e/target"',
                'echo 0644 > "$e/mode"; echo "-t 10.0.0.1:80" > "$e/verify_ipvs"; echo wlc > "$e/verify_sched"',
                `echo '${owner(1).PLVS_OWNER}' > "$e/owner"; echo '${owner(1).PLVS_TOKEN}' > "$e/token"; : > "$e/notes"; echo "1 0" > "$e/process"`,
            ].join("\n"),
        };
        const r = box().run(apply(2), { before: [mainConf, apply(1), queued], after: [report], serviceFile: service(1).target });
        ok({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 2);
        assert.deepEqual(linesOf(r.after, "file"), ["tcp_10-0-0-1_80.conf", "tcp_10-0-0-2_80.conf"]);
        assert.deepEqual(linesOf(r.after, "ipvs"), ["TCP  10.0.0.1:80 wlc", "TCP  10.0.0.2:80 wlc"]);
        assert.deepEqual(linesOf(r.after, "left"), []);
    });

    it("an unchanged file whose service is not in IPVS as it says (changed by hand) fails, and stays: nothing to put back", () => {
        const r = box().run(apply(1), { before: [mainConf, apply(1), { plain: true, script: 'rm -rf "$FAKE_STATE/loaded"' }], after: [report], serviceFile: service(1).target });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: the IPVS service -t 10\.0\.0\.1:80 is missing, not using scheduler wlc, although \S*tcp_10-0-0-1_80\.conf is unchanged \(changed by hand\? driftCheck repairs it\); nothing was changed/, r.stderr);
        assert.deepEqual(linesOf(r.after, "file"), ["tcp_10-0-0-1_80.conf"]);
        assert.equal(loadsOf(r.after), 2, "no reload: nothing changed");
        assert.deepEqual(linesOf(r.after, "left"), []);
    });

    it("another stack's service file is refused to that command alone, naming both owners", () => {
        const otherStack = { ...apply(2), env: { ...owner(2), PLVS_OWNER: "urn:pulumi:other::unit::pulumi-lvs:index:VirtualService$command:remote:Command::vs2" } };
        const r = box().run(apply(2), { before: [mainConf, otherStack], together: [apply(3)], after: [report], serviceFile: service(1).target });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: file \S*tcp_10-0-0-2_80\.conf is managed by urn:pulumi:other::unit::\S*::vs2, of another stack; this resource \(urn:pulumi:test::unit::\S*::vs2\) would undo its work\nRemove it from that stack first/, r.stderr);
        ok(r.together[0]!, 3);
    });
});
