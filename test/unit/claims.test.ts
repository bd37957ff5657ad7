// The ownership records every remote script keeps on its host (scripts/claims.sh), exercised with the
// real library on a scratch state folder: renames, replacements, a second stack, shared objects.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostCommandText, ownerOf, params, type Owner } from "../../src/remote/shell";

const lib = (name: string) => fs.readFileSync(path.join(__dirname, "../../src/remote/scripts", `${name}.sh`), "utf8");
const urn = (stack: string, name: string) => `urn:pulumi:${stack}::infra::pulumi-lvs:index:RealServer$command:remote:Command::${name}`;
const A: Owner = { urn: urn("prod", "rs4-vips"), token: "aaaa000000000001" };
const A2: Owner = { urn: A.urn, token: "aaaa000000000002" }; // A replaced (same URN)
const B: Owner = { urn: urn("prod", "rs4b-vips"), token: "bbbb000000000001" }; // A renamed, same stack
const C: Owner = { urn: urn("staging", "rs4-vips"), token: "cccc000000000001" }; // another stack

describe("ownership records on the host (claims.sh)", () => {
    let state: string;
    beforeEach(() => { state = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-claims-")); });
    afterEach(() => fs.rmSync(state, { recursive: true, force: true }));

    /** Runs `body` as `owner` with the real prelude and claims library; returns status, stdout, stderr. */
    const as = (owner: Owner, body: string) => {
        const text = `${params({ STATE_DIR: state, SCRIPT: "test", BODY_START: 1 })}\n${lib("prelude")}\n${lib("claims")}\n${body}\n`;
        return spawnSync("bash", ["-c", text], { encoding: "utf8", env: { ...process.env, PLVS_OWNER: owner.urn, PLVS_TOKEN: owner.token, TMPDIR: state } });
    };
    const ok = (owner: Owner, body: string) => {
        const r = as(owner, body);
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trim();
    };
    const take = (owner: Owner, key: string, mode: "own" | "share", value = "", prior = "before") =>
        ok(owner, `claim_check "${key}" ${mode} "${value}"; claim_prior "${key}" "${prior}"; claim_commit "${key}" ${mode} "${value}"`);

    it("a replacement (same URN, new token) takes the object; the old version's delete then finds nothing of its own", () => {
        take(A, "file /etc/x.conf", "own");
        take(A2, "file /etc/x.conf", "own");
        assert.equal(ok(A, `claim_state "file /etc/x.conf"`), "replaced");
        assert.equal(ok(A, `claim_release "file /etc/x.conf"`), "none");
        assert.equal(ok(A, `claim_taken "file /etc/x.conf" && echo left`), "left");
        assert.equal(ok(A2, `claim_taken "file /etc/x.conf" || echo mine`), "mine");
        assert.equal(ok(A2, `claim_state "file /etc/x.conf"`), "mine");
    });

    it("a rename in the same stack takes an owned object over; the old one's delete leaves it alone", () => {
        take(A, "file /etc/x.conf", "own");
        const r = as(B, `claim_check "file /etc/x.conf" own ""; claim_commit "file /etc/x.conf" own ""`);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /took over file \/etc\/x\.conf from urn:pulumi:prod::infra::.*::rs4-vips/);
        assert.equal(ok(A, `claim_state "file /etc/x.conf"`), "replaced");
        assert.equal(ok(B, `claim_state "file /etc/x.conf"`), "mine");
    });

    it("a rename that is reverted before the old resource was deleted: the object goes back to the old one, and its own delete then removes it", () => {
        take(A, "file /etc/x.conf", "own");
        take(B, "file /etc/x.conf", "own");
        const back = as(B, `claim_taken "file /etc/x.conf" && echo left`);
        assert.equal(back.stdout.trim(), "left", back.stderr);
        assert.match(back.stderr, /file \/etc\/x\.conf goes back to urn:pulumi:prod::\S+::rs4-vips, which this resource took it over from: left in place/);
        assert.equal(ok(A, `claim_state "file /etc/x.conf"`), "mine");
        assert.equal(ok(A, `claim_taken "file /etc/x.conf" || echo remove`), "remove");
    });

    it("a rename that completes: the old resource's delete drops the claim kept aside, so the new one's delete removes the object", () => {
        take(A, "file /etc/x.conf", "own");
        take(B, "file /etc/x.conf", "own");
        assert.equal(ok(A, `claim_taken "file /etc/x.conf" && echo left`), "left");
        assert.equal(ok(B, `claim_taken "file /etc/x.conf" || echo remove`), "remove");
    });

    it("another stack is refused an owned object, with a message naming both resources; nothing is recorded", () => {
        take(A, "file /etc/x.conf", "own");
        const r = as(C, `claim_check "file /etc/x.conf" own ""; echo not reached`);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^pulumi-lvs\[[^\]]+\]: FAILED: file \/etc\/x\.conf is managed by urn:pulumi:prod::infra::\S+::rs4-vips, of another stack; this resource \(urn:pulumi:staging::infra::\S+::rs4-vips\) would undo its work\n/);
        assert.doesNotMatch(r.stdout, /not reached/);
        assert.equal(ok(A, `claim_state "file /etc/x.conf"`), "mine");
    });

    it("a shared object keeps its prior state until the last claim goes, whichever goes first", () => {
        take(A, "sysctl net.ipv4.conf.all.arp_ignore", "share", "1", "0");
        take(C, "sysctl net.ipv4.conf.all.arp_ignore", "share", "1", "1"); // a second stack, same value
        assert.equal(ok(A, `claim_prior_of "sysctl net.ipv4.conf.all.arp_ignore"`), "0", "the prior from before the first claim stays");
        assert.equal(ok(A, `claim_release "sysctl net.ipv4.conf.all.arp_ignore"`), "kept");
        assert.equal(ok(A, `claim_release "sysctl net.ipv4.conf.all.arp_ignore"`), "none", "releasing twice does nothing");
        assert.equal(ok(C, `claim_release "sysctl net.ipv4.conf.all.arp_ignore"`), "last");
        assert.equal(ok(C, `claim_prior_of "sysctl net.ipv4.conf.all.arp_ignore"`), "0");
    });

    it("a shared object wanted with another value: refused from another stack, taken over in the same stack", () => {
        take(A, "route default4", "share", "10.202.0.100");
        let r = as(C, `claim_check "route default4" share "10.202.0.1"`);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: route default4 is managed by \S+::rs4-vips \(wanting '10\.202\.0\.100'\), of another stack/);
        r = as(B, `claim_check "route default4" share "10.202.0.1"; claim_commit "route default4" share "10.202.0.1"`);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(ok(A, `claim_release "route default4"`), "none");
    });

    it("claimed_by_me lists this version's keys, or with `any` every version's of this resource", () => {
        take(A, "addr lo 10.0.0.1/32", "share");
        take(B, "addr lo 10.0.0.2/32", "share");
        assert.equal(ok(A, `claimed_by_me "addr "`), "addr lo 10.0.0.1/32");
        assert.equal(ok(A2, `claimed_by_me "addr "`), "");
        assert.equal(ok(A2, `claimed_by_me "addr " any`), "addr lo 10.0.0.1/32");
        assert.equal(ok(A2, `claim_release "addr lo 10.0.0.1/32" any`), "last");
        assert.equal(ok(A, `claim_forget "addr lo 10.0.0.1/32"; claimed_by_me "addr " any`), "");
    });

    it("the owner is the command's own URN; its token survives updates and changes with a replacement's triggers", () => {
        const parent = "urn:pulumi:prod::infra::acme:index:Edge$pulumi-lvs:index:VirtualService::web";
        const o = ownerOf(parent, "web-primary", ["/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-1_80.conf"]);
        assert.equal(o.urn, "urn:pulumi:prod::infra::acme:index:Edge$pulumi-lvs:index:VirtualService$command:remote:Command::web-primary");
        assert.equal(ownerOf(parent, "web-primary", ["/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-1_80.conf"]).token, o.token);
        assert.notEqual(ownerOf(parent, "web-primary", ["/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-1_81.conf"]).token, o.token);
        assert.match(o.token, /^[0-9a-f]{16}$/);
    });

    it("`pulumi up --replace` (a second instance, same URN and token): the first one's delete leaves everything to it; updates add no instance", () => {
        const marker = path.join(state, "marker");
        const withLib = (body: string) => `${params({ STATE_DIR: state, SCRIPT: "test", BODY_START: 1 })}\n${lib("prelude")}\n${lib("claims")}\n${body}\n`;
        const text = hostCommandText("marker", withLib(`claim_check "file ${marker}" own ""; touch ${marker}; claim_commit "file ${marker}" own ""`),
            withLib(`claim_taken "file ${marker}" || rm -f ${marker}; claim_forget "file ${marker}"`), "", A);
        const run = (phase: "create" | "update" | "delete") => {
            const r = spawnSync("bash", ["-c", text[phase]!], { input: text.stdin, encoding: "utf8", env: { ...process.env, TMPDIR: state } });
            assert.equal(r.status, 0, r.stderr);
            return r.stderr;
        };
        run("create");
        run("create"); // the --replace instance
        assert.match(run("delete"), /another instance of \S+::rs4-vips \(pulumi up --replace\) now holds what this one set up: left in place/);
        assert.ok(fs.existsSync(marker), "the first instance's delete left the object to the second");
        run("update");
        run("delete");
        assert.ok(!fs.existsSync(marker), "the last instance's delete removes it");
        assert.deepEqual(fs.readdirSync(state).filter((f) => !f.startsWith("pulumi-lvs-stderr")), [], "no record is left behind");
        run("create");
        run("update");
        run("delete");
        assert.ok(!fs.existsSync(marker), "an update is not a second instance");
    });

    it("a script run without an owner stops before it touches anything", () => {
        const text = `${params({ STATE_DIR: state, SCRIPT: "test", BODY_START: 1 })}\n${lib("prelude")}\n${lib("claims")}\necho not reached\n`;
        const r = spawnSync("bash", ["-c", text], { encoding: "utf8", env: { ...process.env, PLVS_OWNER: "", PLVS_TOKEN: "" } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: no owner given/);
        assert.doesNotMatch(r.stdout, /not reached/);
    });
});
