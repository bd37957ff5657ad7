// scripts/packages.sh on a scratch host (apt-get and dpkg-query are the fakes of test/helpers/host-fakes):
// an install that fails part-way is undone, since Pulumi records nothing of a failed create.
import { strict as assert } from "assert";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../../src/remote/packages";
import { sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

const state: Step = { script: `echo debs: $(sort "$FAKE_STATE/debs" 2>/dev/null); echo records: $(find "$(dirname "$FAKE_UNIT_DIR")/../state" -name .prior 2>/dev/null | wc -l)`, plain: true };
const byHand = (p: string): Step => ({ script: `echo ${p} >> "$FAKE_STATE/debs"`, plain: true });
// apt-get install that unpacks the packages and a dependency, then fails configuring one (as dpkg does
// when a postinst cannot start its service).
// Its plan (-s) names the dependency too.
const halfInstall = `case " $* " in *" -s install "*) "$REAL" "$@"; echo "Inst libfake1 (1.0 fake [amd64])"; exit 0 ;; *" install "*) "$REAL" "$@"; echo libfake1 >> "$FAKE_STATE/debs"; echo "E: Sub-process /usr/bin/dpkg returned an error code (1)"; exit 100 ;; esac\nexec "$REAL" "$@"`;
// unattended-upgrades installs a kernel while apt-get waits for the dpkg lock, and holds it too long.
const lockHeld = `case " $* " in *" -s "*) ;; *" install "*) echo linux-image-6.1.0-99-amd64 >> "$FAKE_STATE/debs"; echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)"; exit 100 ;; esac\nexec "$REAL" "$@"`;

describe("packages.sh: a failed install is undone", function () {
    this.timeout(60_000);
    const sandbox = sandboxPerSuite();
    const create: Step = { script: packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]) };

    it("fails half-way: what it added goes, with its dependencies, and no record is left", () => {
        const r = sandbox().run(create, { after: [state], fault: { tool: "apt-get", mode: "replaced", body: halfInstall } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: install --no-install-recommends ipvsadm keepalived failed\n/);
        assert.match(r.stderr, /removed what the failed install had added: ipvsadm keepalived libfake1 \n/);
        assert.equal(r.after, "debs:\nrecords: 0\n");
    });

    it("a package that was there before stays", () => {
        const r = sandbox().run(create, { before: [byHand("keepalived")], after: [state], fault: { tool: "apt-get", mode: "replaced", body: halfInstall } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /removed what the failed install had added: ipvsadm libfake1 \n/);
        assert.equal(r.after, "debs: keepalived\nrecords: 0\n");
    });

    it("the install worked but a later step failed (the kernel module): undone all the same", () => {
        const r = sandbox().run(create, { after: [state], fault: { tool: "modprobe", mode: "fails" } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: cannot load the kernel module ip_vs/);
        assert.match(r.stderr, /removed what the failed install had added: ipvsadm keepalived \n/);
        assert.equal(r.after, "debs:\nrecords: 0\n");
    });

    it("the purge fails too: says what to remove by hand", () => {
        const noPurge = halfInstall.replace('exec "$REAL" "$@"', 'case " $* " in *" purge "*) exit 100 ;; esac\nexec "$REAL" "$@"');
        const r = sandbox().run(create, { after: [state], fault: { tool: "apt-get", mode: "replaced", body: noPurge } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /could not remove what the failed install had added \(ipvsadm keepalived libfake1 \): remove it by hand \(apt-get purge\)/);
    });

    it("the purge removed them but apt-get failed after (a hook): judged by what is left", () => {
        const hookFails = halfInstall.replace('exec "$REAL" "$@"', 'case " $* " in *" purge "*) "$REAL" "$@"; exit 100 ;; esac\nexec "$REAL" "$@"');
        const r = sandbox().run(create, { after: [state], fault: { tool: "apt-get", mode: "replaced", body: hookFails } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /removed what the failed install had added: ipvsadm keepalived libfake1 \n/);
        assert.equal(r.after, "debs:\nrecords: 0\n");
    });

    it("what another apt run installed meanwhile stays, and nothing is left recorded", () => {
        const r = sandbox().run(create, { after: [state], fault: { tool: "apt-get", mode: "replaced", body: lockHeld } });
        assert.equal(r.status, 1);
        assert.doesNotMatch(r.stderr, /removed/);
        assert.equal(r.after, "debs: linux-image-6.1.0-99-amd64\nrecords: 0\n");
    });

    it("a purge that would remove more than the install added (a package that depends on it): left, saying why", () => {
        const dependent = halfInstall.replace('exec "$REAL" "$@"', 'case " $* " in *" -s purge "*) "$REAL" "$@"; echo "Purg tool-using-keepalived [2.0]"; exit 0 ;; esac\nexec "$REAL" "$@"');
        const r = sandbox().run(create, { after: [state], fault: { tool: "apt-get", mode: "replaced", body: dependent } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /left what the failed install had added \(ipvsadm keepalived libfake1 \): removing it would also remove tool-using-keepalived \n/);
        assert.equal(r.after, "debs: ipvsadm keepalived libfake1\nrecords: 1\n", "its record stays with what it left");
    });

    it("a first install that failed before adding anything leaves no record: a package installed by hand later is not taken for its own", () => {
        const noFetch = `case " $* " in *" -s "*) ;; *" install "*) echo "E: Failed to fetch http://deb.debian.org/... 503"; exit 100 ;; esac\nexec "$REAL" "$@"`;
        const del: Step = { script: packagesDelete(DIRECTOR_PACKAGES) };
        const r = sandbox().run(create, { after: [state, byHand("keepalived"), create, state, del, state], fault: { tool: "apt-get", mode: "replaced", body: noFetch } });
        assert.equal(r.status, 1);
        assert.match(r.after, /^debs:\nrecords: 0\n[^]*debs: ipvsadm keepalived\nrecords: 1\n[^]*debs: keepalived\nrecords: 0\n$/, "the delete removes ipvsadm only");
    });

    it("a clean install keeps what it installed", () => {
        const r = sandbox().run(create, { after: [state] });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.after, "debs: ipvsadm keepalived\nrecords: 1\n");
    });
});
