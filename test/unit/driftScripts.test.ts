// The drift check on a scratch host (test/helpers/scriptSandbox.ts): the probe the program runs during
// preview and up reports what the repair would repair and changes nothing; the repair records its mark,
// which the probe then reports; the repair's delete forgets only its own record.
import { strict as assert } from "assert";
import { keepalivedApply } from "../../src/remote/keepalivedFile";
import { driftForget, driftProbe, IN_SYNC, driftMark, parseProbe, withDriftMark } from "../../src/remote/drift";
import { sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

const MAIN = { kind: "main" as const, target: "/etc/keepalived/keepalived.conf" };
const SERVICE = { kind: "service" as const, target: "/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-10_80.conf", verifyIpvs: "-t 10.0.0.10:80", verifyScheduler: "wlc" };
const MAIN_CONF = "# Managed by pulumi-lvs: test.\nglobal_defs {\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n";
const SERVICE_CONF = "# Managed by pulumi-lvs: test.\nvirtual_server 10.0.0.10 80 {\n}\n";
const SERVICE_PATH = "services/tcp_10-0-0-10_80.conf";

const step = (script: string, input = ""): Step => ({ script, input });
const plain = (script: string): Step => ({ script, plain: true });
/** The scratch host's folders (state, targets, lock), from the fakes' folder the harness exports. */
const HOST = 'R=$(dirname "$FAKE_STATE"); cd "$R" && find state targets lock -printf "%p %s %m %T@\\n" | sort';
/** Notes the host's files, then (after the step) says whether anything changed. */
const snapshot = plain(`${HOST} > "$(dirname "$FAKE_STATE")/before.list"`);
const compare = plain(`${HOST} | diff "$(dirname "$FAKE_STATE")/before.list" - && echo "host unchanged"`);
const installed = [step(keepalivedApply(MAIN), MAIN_CONF), step(keepalivedApply(SERVICE), SERVICE_CONF)];
const handEdits = plain(`R=$(dirname "$FAKE_STATE"); echo '# a hand edit' >> "$R/targets/keepalived/pulumi-lvs/${SERVICE_PATH}"; rm -f "$FAKE_STATE/ipvs"`);
const repair = (mark: string) => step(keepalivedApply({ ...SERVICE, drift: true }), withDriftMark(mark, SERVICE_CONF));
const probe = step(driftProbe(SERVICE), SERVICE_CONF);

describe("drift check scripts (scratch host)", function () {
    this.timeout(120_000);
    const sandbox = sandboxPerSuite();
    const run = (s: Step, before: Step[], after: Step[] = []) => sandbox().run(s, { before, after, serviceFile: SERVICE.target });

    it("the probe of a host in sync reports no drift and no record, and changes nothing", () => {
        const r = run(probe, [...installed, snapshot], [compare]);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(parseProbe(r.stdout), { drift: [] });
        assert.match(r.after, /host unchanged/, r.after);
    });

    it("the probe reports an edited file and a deleted IPVS service, repairs nothing, writes nothing", () => {
        const r = run(probe, [...installed, handEdits, snapshot], [compare]);
        assert.equal(r.status, 0, r.stderr);
        const found = parseProbe(r.stdout);
        assert.equal(found.drift.length, 2, r.stdout);
        assert.match(found.drift[0]!, /tcp_10-0-0-10_80\.conf differs from the stack/);
        assert.match(found.drift[1]!, /the IPVS service -t 10\.0\.0\.10:80 is missing/);
        assert.match(r.after, /host unchanged/, r.after);
        assert.ok(!r.tools.some((t) => ["mkdir", "flock", "mv", "cp", "install", "rm", "systemctl reload"].includes(t)), `tools: ${r.tools.join(" ")}`);
    });

    it("the probe works on a host whose state and target folders are read-only", () => {
        for (const dir of ["state", "targets"] as const) {
            const r = sandbox().run(probe, { before: [...installed, handEdits], serviceFile: SERVICE.target, fault: { dir, mode: "readonly" } });
            assert.equal(r.status, 0, `${dir} read-only: ${r.stderr}`);
            assert.equal(parseProbe(r.stdout).drift.length, 2);
        }
    });

    it("the repair reports and repairs as before, and records its mark, which the probe then reports", () => {
        const mark = driftMark({ drift: ["x differs"] }, "2025-01-01T00:00:00.000Z");
        const repaired = run(repair(mark), [...installed, handEdits], [probe]);
        assert.equal(repaired.status, 0, repaired.stderr);
        assert.match(repaired.stderr, /DRIFT: .*tcp_10-0-0-10_80\.conf differs from the stack \(edited or removed on the host\): rewriting it/);
        assert.match(repaired.stderr, /DRIFT: the IPVS service -t 10\.0\.0\.10:80 is missing \(removed by hand\?\): re-adding it/);
        // The probe after the repair: in sync, and the mark of the repair, which is what the stack holds.
        const after = parseProbe(repaired.after);
        assert.deepEqual(after, { drift: [], record: mark });
        assert.equal(driftMark(after, "later"), mark);
    });

    it("a repair of a host in sync says so and records its mark", () => {
        const r = run(repair(IN_SYNC), installed, [probe]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /no drift/);
        assert.deepEqual(parseProbe(r.after), { drift: [], record: IN_SYNC });
    });

    it("the delete forgets the record it wrote, but not one a replacement wrote since", () => {
        const mine = run(step(driftForget(SERVICE)), [...installed, repair("m1")], [probe]);
        assert.equal(mine.status, 0, mine.stderr);
        assert.deepEqual(parseProbe(mine.after), { drift: [] });
        const otherToken = plain('R=$(dirname "$FAKE_STATE"); f=$(ls "$R"/state/pulumi-lvs/drift/*); printf "0123456789abcdef\\nm2" > "$f"');
        const theirs = run(step(driftForget(SERVICE)), [...installed, repair("m1"), otherToken], [probe]);
        assert.equal(theirs.status, 0, theirs.stderr);
        assert.deepEqual(parseProbe(theirs.after), { drift: [], record: "m2" });
    });
});

describe("drift probe output", () => {
    it("reads differences and the record, and refuses output cut short or foreign", () => {
        assert.deepEqual(parseProbe(`drift a b\ndrift c\nrecord ${Buffer.from("drift seen t: x").toString("base64")}\nend\n`), { drift: ["a b", "c"], record: "drift seen t: x" });
        assert.throws(() => parseProbe("drift a\n"), /ended early/);
        assert.throws(() => parseProbe("Welcome to Ubuntu\nend\n"), /unexpected output/);
    });

    it("the mark: the record when in sync, else a new one naming each difference", () => {
        assert.equal(driftMark({ drift: [] }, "t1"), IN_SYNC);
        assert.equal(driftMark({ drift: [], record: "drift seen t0: x" }, "t1"), "drift seen t0: x");
        assert.equal(driftMark({ drift: ["a", "b"], record: "drift seen t0: a" }, "t1"), "drift seen t1: a; b");
    });
});
