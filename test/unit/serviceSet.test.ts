// A VirtualServiceSet's service files on one director (scripts/service-set.sh), on a scratch host: one
// command validates and loads them all with one reload; a change is all or nothing (a set is one Pulumi
// resource), and names each file that failed and why; the files a set held and no longer lists go in the
// same change.
import { strict as assert } from "assert";
import { keepalivedApply, keepalivedDelete, type KeepalivedFile } from "../../src/remote/keepalivedFile";
import { keepalivedSetApply, keepalivedSetDelete, setManifest, type SetFile } from "../../src/remote/keepalivedSet";
import { linesOf, loadsOf, sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

const MAIN: KeepalivedFile = { kind: "main", target: "/etc/keepalived/keepalived.conf" };
const MAIN_CONF = "# Managed by pulumi-lvs: test.\nglobal_defs {\n}\nvrrp_instance VI_1 {\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n";
const SERVICES = "/etc/keepalived/pulumi-lvs/services";
const FAKES = { FAKE_IPVS_FROM_FILES: "1" };
const SET_OWNER = { ...FAKES, PLVS_OWNER: "urn:pulumi:test::unit::pulumi-lvs:index:VirtualServiceSet$command:remote:Command::tier-primary", PLVS_TOKEN: "5e75e75e75e75e75" };

function file(n: number): KeepalivedFile {
    return { kind: "service", target: `${SERVICES}/tcp_10-0-0-${n}_80.conf`, verifyIpvs: `-t 10.0.0.${n}:80`, verifyScheduler: "wlc" };
}
function content(n: number, opts: { shows?: string; invalid?: boolean; changed?: boolean } = {}): string {
    return `# fake-ipvs -t 10.0.0.${n}:80=${opts.shows ?? `TCP  10.0.0.${n}:80 wlc`}\n${opts.invalid ? "# fake-invalid\n" : ""}virtual_server 10.0.0.${n} 80 {\n${opts.changed ? "  # changed\n" : ""}}\n`;
}
const entry = (n: number, opts: Parameters<typeof content>[1] = {}): SetFile => ({ name: `svc${n}`, file: file(n), content: content(n, opts) });
const applySet = (entries: SetFile[], phase: "create" | "update" = "update", env = SET_OWNER): Step => ({ script: keepalivedSetApply("tier"), input: setManifest(entries), env, phase });
const deleteSet: Step = { script: keepalivedSetDelete("tier"), env: SET_OWNER, phase: "delete" };
const mainConf: Step = { script: keepalivedApply(MAIN), input: MAIN_CONF, env: FAKES };
/** A VirtualService of its own on file n (another resource of the same stack). */
const single = (n: number, phase?: "create" | "delete"): Step => ({
    script: phase === "delete" ? keepalivedDelete(file(n)) : keepalivedApply(file(n)), input: phase === "delete" ? undefined : content(n), phase,
    env: { ...FAKES, PLVS_OWNER: `urn:pulumi:test::unit::pulumi-lvs:index:VirtualService$command:remote:Command::vs${n}-primary`, PLVS_TOKEN: `${n}`.padStart(16, "0") },
});
const report: Step = {
    plain: true,
    script: [
        'R=$(dirname "$FAKE_STATE")',
        'echo "loads $(wc -l < "$FAKE_STATE/keepalived-loads")"',
        'for f in "$R"/targets/keepalived/pulumi-lvs/services/*.conf; do [ -f "$f" ] && echo "file ${f##*/}"; done',
        'FAKE_IPVS_FROM_FILES=1 ipvsadm -Ln | sed "s/^/ipvs /"',
        'find "$R/targets" -name ".stage*" | sed "s#^$R/##; s/^/left /"',
        'for d in "$R"/state/pulumi-lvs/claims/*services*; do [ -d "$d" ] && for c in "$d"/*; do [ -f "$c" ] && echo "claim ${d##*%2F} $(head -n1 "$c" | sed "s/.*:://")"; done; done',
        '[ -d "$R/state/pulumi-lvs" ] && echo "state kept" || echo "state gone"',
    ].join("\n"),
};
const names = (ns: number[]) => ns.map((n) => `tcp_10-0-0-${n}_80.conf`);
const table = (ns: number[]) => ns.map((n) => `TCP  10.0.0.${n}:80 wlc`);

describe("a VirtualServiceSet's files on a director: one command, one validation, one reload (scratch host)", function () {
    this.timeout(120_000);
    const box = sandboxPerSuite();

    it("creates its services with one reload, verifies each in IPVS, and claims each file as the set's", () => {
        const r = box().run(applySet([1, 2, 3].map((n) => entry(n)), "create"), { before: [mainConf], after: [report], serviceFile: file(1).target });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, 'ok VirtualServiceSet "tier": 3 service files\n');
        assert.match(r.stderr, /VirtualServiceSet "tier": 3 service files written, 0 removed, loaded together/);
        assert.deepEqual(linesOf(r.after, "file"), names([1, 2, 3]));
        assert.deepEqual(linesOf(r.after, "ipvs"), table([1, 2, 3]));
        assert.equal(loadsOf(r.after), 2, `keepalived.conf's start, then one reload for the three: ${r.after}`);
        assert.deepEqual(linesOf(r.after, "claim"), names([1, 2, 3]).map((f) => `${f} tier-primary`));
        assert.deepEqual(linesOf(r.after, "left"), []);
    });

    it("an update changes, adds and removes files in one reload; what it no longer lists goes; nothing unchanged is rewritten", () => {
        const r = box().run(applySet([entry(1), entry(2, { changed: true }), entry(4)]), {
            before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], after: [report], serviceFile: file(1).target,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /2 service files written, 1 removed, loaded together/);
        assert.deepEqual(linesOf(r.after, "file"), names([1, 2, 4]));
        assert.deepEqual(linesOf(r.after, "ipvs"), table([1, 2, 4]));
        assert.equal(loadsOf(r.after), 3, r.after);
        assert.deepEqual(linesOf(r.after, "claim"), names([1, 2, 4]).map((f) => `${f} tier-primary`));
    });

    it("an update with a file keepalived refuses changes nothing, and names that service with keepalived's words", () => {
        const r = box().run(applySet([entry(1, { changed: true }), entry(2, { invalid: true }), entry(3, { changed: true }), entry(4)]), {
            before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], after: [report], serviceFile: file(1).target,
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^pulumi-lvs\[[^\]]*\]: FAILED: 1 of the 4 service files of VirtualServiceSet "tier" failed; nothing of the set was changed \(a set changes all of its files or none: Pulumi keeps its inputs as they were, and the next up tries again\)\nservice svc2 \(\S*tcp_10-0-0-2_80\.conf\): keepalived rejected the configuration with the new \S*tcp_10-0-0-2_80\.conf \(keepalived -t\)\n.*Unknown keyword 'fake-invalid' in \S*\/keepalived\/pulumi-lvs\/services\/tcp_10-0-0-2_80\.conf/, r.stderr);
        assert.doesNotMatch(r.stderr, /\.stage\./, "keepalived's message names the host's paths");
        assert.deepEqual(linesOf(r.after, "file"), names([1, 2, 3]));
        assert.deepEqual(linesOf(r.after, "ipvs"), table([1, 2, 3]));
        assert.equal(loadsOf(r.after), 2, `keepalived.conf's start and the create's reload, nothing since: ${r.after}`);
        assert.deepEqual(linesOf(r.after, "claim"), names([1, 2, 3]).map((f) => `${f} tier-primary`));
    });

    it("a create with a file keepalived refuses applies nothing, and says why", () => {
        const r = box().run(applySet([entry(1), entry(2, { invalid: true }), entry(3)], "create"), { before: [mainConf], after: [report], serviceFile: file(1).target });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: 1 of the 3 service files of VirtualServiceSet "tier" failed; nothing of the set was changed .*\nservice svc2 /, r.stderr);
        assert.deepEqual(linesOf(r.after, "file"), []);
        assert.deepEqual(linesOf(r.after, "ipvs"), []);
        assert.deepEqual(linesOf(r.after, "claim"), []);
    });

    it("a changed service not in IPVS as its file says after the reload: every file of the change goes back, with one more reload", () => {
        const r = box().run(applySet([entry(1, { changed: true }), entry(2, { shows: "TCP  10.0.0.2:80 rr", changed: true }), entry(3), entry(4)]), {
            before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], after: [report, { plain: true, script: 'grep -c changed "$(dirname "$FAKE_STATE")"/targets/keepalived/pulumi-lvs/services/*.conf || true' }], serviceFile: file(1).target,
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /service svc2 \(\S*tcp_10-0-0-2_80\.conf\): after the reload the IPVS service -t 10\.0\.0\.2:80 is TCP {2}10\.0\.0\.2:80 rr, not using scheduler wlc/, r.stderr);
        assert.deepEqual(linesOf(r.after, "file"), names([1, 2, 3]));
        assert.deepEqual(linesOf(r.after, "ipvs"), table([1, 2, 3]));
        assert.doesNotMatch(r.after, /conf:[1-9]/, "svc1's change went back too");
        assert.equal(loadsOf(r.after), 4, `the create's, the change's, the one with the files put back: ${r.after}`);
    });

    it("input cut short (at an entry or inside its line) fails with nothing changed: a shorter list must not remove services", () => {
        const full = setManifest([1, 2, 3].map((n) => entry(n)));
        const atEntry = full.slice(0, full.indexOf("svc3\t"));
        const inLine = full.slice(0, full.indexOf("svc3\t") + 6);
        for (const [cut, why] of [[atEntry, /stdin ended after 2 of 3 service files; nothing was changed/], [inLine, /stdin (ended after 2 of 3 service files|holds no service file entry here)/]] as const) {
            const r = box().run({ ...applySet([]), input: cut }, { before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], after: [report], serviceFile: file(1).target });
            assert.equal(r.status, 1);
            assert.match(r.stderr, why, r.stderr);
            assert.deepEqual(linesOf(r.after, "ipvs"), table([1, 2, 3]));
            assert.equal(loadsOf(r.after), 2, r.after);
        }
    });

    it("an unchanged service out of IPVS (removed by hand) is noted, and does not block the set's other changes", () => {
        // keepalived does not add back on a reload a service it believes it has: ipvsadm goes on not showing it.
        const removedByHand = { tool: "ipvsadm", mode: "replaced" as const, body: 'out=$("$REAL" "$@") || exit $?\ngrep -v "10.0.0.2:80" <<< "$out" || true' };
        const r = box().run(applySet([entry(1, { changed: true }), entry(2), entry(3)]), {
            before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], fault: removedByHand, after: [report], serviceFile: file(1).target,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /the IPVS service -t 10\.0\.0\.2:80 of \S*tcp_10-0-0-2_80\.conf \(unchanged\) is missing, not using scheduler wlc: changed by hand\? driftCheck repairs it/, r.stderr);
        assert.match(r.stderr, /1 service files written, 0 removed/);
    });

    it("a run that dies after its swap, before keepalived loaded the files (a lost connection): the next run with the same input loads them", () => {
        const rr: SetFile = { name: "svc2", file: { ...file(2), verifyScheduler: "rr" }, content: content(2, { shows: "TCP  10.0.0.2:80 rr" }) };
        // The script (and its $(...) subshells) die when it asks for the reload; keepalived is not reloaded.
        const dies = { tool: "systemctl", mode: "replaced" as const, body: '[ "$1" != reload ] || { pkill -9 -f "plvs-update$"; exit 1; }\nexec "$REAL" "$@"' };
        const r = box().run(applySet([entry(1), rr]), {
            before: [mainConf, applySet([1, 2].map((n) => entry(n)), "create")], fault: dies,
            after: [{ plain: true, script: 'echo "loaded $(FAKE_IPVS_FROM_FILES=1 ipvsadm -Ln -t 10.0.0.2:80)"' }, applySet([entry(1), rr]), report], serviceFile: file(1).target,
        });
        assert.notEqual(r.status, 0, "the first run died");
        assert.deepEqual(linesOf(r.after, "loaded"), ["TCP  10.0.0.2:80 wlc"], `the file was swapped in but not loaded: ${r.after}`);
        assert.doesNotMatch(r.after, /\(exit \d+\)/, r.after);
        assert.deepEqual(linesOf(r.after, "ipvs"), ["TCP  10.0.0.1:80 wlc", "TCP  10.0.0.2:80 rr"], r.after);
        assert.equal(loadsOf(r.after), 3, `the create's, then the next run's: ${r.after}`);
        // The killed run could not remove its staging folder (the next runs remove it once it is an hour old).
        assert.equal(linesOf(r.after, "left").length, 1, r.after);
    });

    it("a file a killed run swapped in, which the next run no longer lists, goes with that run (nobody else holds it)", () => {
        const dies = { tool: "systemctl", mode: "replaced" as const, body: '[ "$1" != reload ] || { pkill -9 -f "plvs-update$"; exit 1; }\nexec "$REAL" "$@"' };
        const r = box().run(applySet([1, 2, 3].map((n) => entry(n))), {
            before: [mainConf, applySet([1, 2].map((n) => entry(n)), "create")], fault: dies,
            after: [applySet([1, 2].map((n) => entry(n))), report, deleteSet, report, { plain: true, script: 'find "$(dirname "$FAKE_STATE")/state" | sed "s/^/state: /"' }], serviceFile: file(1).target,
        });
        assert.notEqual(r.status, 0, "the first run died");
        const [afterUpdate, afterDelete] = r.after.split(/^loads /m).slice(1);
        assert.deepEqual(linesOf(`x\n${afterUpdate}`, "file"), names([1, 2]), r.after);
        assert.deepEqual(linesOf(`x\n${afterUpdate}`, "ipvs"), table([1, 2]), r.after);
        assert.deepEqual(linesOf(`x\n${afterDelete}`, "file"), [], r.after);
        assert.deepEqual(linesOf(`x\n${afterDelete}`, "ipvs"), [], r.after);
        assert.deepEqual(linesOf(r.after, "state:").filter((l) => /set-pending|services/.test(l)), [], `no note or claim of the set is left behind: ${r.after}`);
    });

    it("delete removes every file of the set with one reload, and leaves no claim, stage or state folder", () => {
        const r = box().run(deleteSet, { before: [mainConf, applySet([1, 2, 3].map((n) => entry(n)), "create")], after: [report], serviceFile: file(1).target });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /0 service files written, 3 removed/);
        assert.deepEqual(linesOf(r.after, "file"), []);
        assert.deepEqual(linesOf(r.after, "ipvs"), []);
        assert.equal(loadsOf(r.after), 3, r.after);
        assert.deepEqual(linesOf(r.after, "claim"), []);
        assert.deepEqual(linesOf(r.after, "left"), []);
    });

    it("a service moved out of the set to a VirtualService of its own: the VirtualService takes the file over, and the set's update and delete leave it", () => {
        const r = box().run(deleteSet, {
            before: [mainConf, applySet([1, 2].map((n) => entry(n)), "create"), single(2, "create"), applySet([entry(1)])],
            after: [report], serviceFile: file(1).target,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(linesOf(r.after, "file"), names([2]));
        assert.deepEqual(linesOf(r.after, "ipvs"), table([2]));
        assert.deepEqual(linesOf(r.after, "claim"), [`${names([2])[0]} vs2-primary`], "no claim of the set is left, not even one kept aside");
    });

    it("a file another stack holds fails the change, naming that service; nothing of the set is applied", () => {
        const other = { ...FAKES, PLVS_OWNER: "urn:pulumi:other::unit::pulumi-lvs:index:VirtualService$command:remote:Command::vs2-primary", PLVS_TOKEN: "0000000000000002" };
        const r = box().run(applySet([1, 2, 3].map((n) => entry(n)), "update"), {
            before: [mainConf, { ...single(2), env: other }], after: [report], serviceFile: file(1).target,
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /service svc2 \(\S*tcp_10-0-0-2_80\.conf\): file \S*tcp_10-0-0-2_80\.conf is managed by urn:pulumi:other::\S+, of another stack/, r.stderr);
        assert.deepEqual(linesOf(r.after, "ipvs"), table([2]));
        assert.deepEqual(linesOf(r.after, "claim"), [`${names([2])[0]} vs2-primary`]);
    });
});
