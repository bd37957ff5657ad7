// A director's auth.conf and keepalived.conf, applied as LvsDirectorPair applies them (auth.conf's command,
// then keepalived.conf's), by the real scripts on a scratch root: systemctl, ipvsadm, journalctl and sleep
// are stubs, and `keepalived -t` is test/helpers/fake-keepalived.js, or a real keepalived given as
// PLVS_TEST_KEEPALIVED (run as root in a scratch network namespace with an eth0; checked so with 2.2.7
// from Debian 12 and 2.4.3 built from its source). Every reload or start of the stub validates the files
// keepalived would then load, so a step that leaves keepalived with a pair it rejects is seen even when
// each script succeeds.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { directorPairSchema } from "../../src/model/directorPair";
import { renderAuthDefinition, renderKeepalivedMain } from "../../src/render/keepalivedMain";
import { AUTH_FILE, keepalivedApply, MAIN_FILE, withCompanion } from "../../src/remote/keepalivedFile";
import { hostCommandText, ownerOf } from "../../src/remote/shell";

const realKeepalived = process.env.PLVS_TEST_KEEPALIVED;
const fake = path.join(__dirname, "..", "helpers", "fake-keepalived.js");

/** The keepalived versions the checks stand for: the real one's, or the fake as Debian 12's and as 2.4 (auth_hmac). */
function keepalivedVersions(): string[] {
    if (!realKeepalived) return ["2.2.7", "2.4.3"];
    const out = spawnSync(realKeepalived, ["--version"], { encoding: "utf8" });
    return [/v(\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`)![1]!];
}

const PARENT = "urn:pulumi:test::infra::pulumi-lvs:index:LvsDirectorPair::lb";
const OWNERS = { auth: ownerOf(PARENT, "lb-primary-auth", []), main: ownerOf(PARENT, "lb-primary-keepalived", []) };

const stub = (text: string) => `#!/bin/bash\n${text}\n`;

/** A scratch host: /etc/keepalived, the state folder and the stubs live under one temporary root. */
class Host {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-pair-"));
    readonly bin = path.join(this.root, "bin");

    constructor(readonly version: string) {
        fs.mkdirSync(this.bin);
        fs.mkdirSync(this.path("/etc/keepalived"), { recursive: true });
        const check = realKeepalived
            ? `exec unshare --net sh -c 'ip link add eth0 type veth peer name eth9 && ip link set eth0 up && exec "$0" "$@"' ${realKeepalived} "$@"`
            : `exec node ${fake} "$@"`;
        fs.writeFileSync(path.join(this.bin, "keepalived"), stub(check), { mode: 0o755 });
        // keepalived's state is a file; reload and start record whether keepalived accepts what it then loads.
        const state = this.path("/keepalived.state");
        const events = this.path("/events");
        fs.writeFileSync(path.join(this.bin, "systemctl"), stub(`
load() { if out=$(keepalived -t -f ${this.path("/etc/keepalived/keepalived.conf")} 2>&1); then echo "$1 ok" >> ${events}; else echo "$1 REJECTED: $out" >> ${events}; fi; }
case "$1" in
  is-active) [ "$(cat ${state} 2>/dev/null)" = active ] ;;
  is-enabled) exit 1 ;;
  reload) [ ! -f ${this.path("/reload-fails")} ] || { echo "Job for keepalived.service failed." >&2; exit 1; }
          [ "$(cat ${state} 2>/dev/null)" = active ] && load reload ;;
  start) load start; echo active > ${state} ;;
  restart) load restart; echo active > ${state} ;;
  stop) echo inactive > ${state} ;;
  show) echo "Sat 2026-11-21 10:00:00 UTC" ;;
  *) exit 0 ;;
esac`), { mode: 0o755 });
        for (const tool of ["ipvsadm", "journalctl", "sleep"]) fs.writeFileSync(path.join(this.bin, tool), stub("exit 0"), { mode: 0o755 });
    }

    path(p: string): string {
        return path.join(this.root, p);
    }

    /** Host paths in a text (scripts, keepalived.conf) moved under the scratch root. */
    rooted(text: string): string {
        return text.replaceAll("/etc/keepalived", this.path("/etc/keepalived")).replaceAll("/var/lib/pulumi-lvs", this.path("/state"))
            .replaceAll("/run/lock", this.path("/no-run-lock"))
            .replace('export PATH="/usr/local/sbin:', `export PATH="${this.bin}:/usr/local/sbin:`);
    }

    /** Runs one command's create script as remote.Command would, with its owner and stdin. */
    run(script: string, input: string, owner: { urn: string; token: string }) {
        const text = hostCommandText("test", this.rooted(script), "true", input, owner);
        const res = spawnSync("bash", ["-c", text.create], {
            input: text.stdin, encoding: "utf8", env: { ...process.env, PATH: `${this.bin}:${process.env.PATH}`, FAKE_KEEPALIVED_VERSION: this.version },
        });
        return { status: res.status, output: `${res.stdout}${res.stderr}` };
    }

    read(p: string): string | undefined {
        return fs.existsSync(this.path(p)) ? fs.readFileSync(this.path(p), "utf8") : undefined;
    }

    events(): string[] {
        return (this.read("/events") ?? "").split("\n").filter(Boolean);
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

const PASS = "pw123456";
const HMAC_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCD"; // 40 characters

/** The primary director's two files for an auth type, as LvsDirectorPair renders them. */
function pairFiles(host: Host, auth: "PASS" | "HMAC") {
    const model = directorPairSchema.parse({ interface: "eth0", vips: ["10.0.0.100"], vrrp: { virtualRouterId: 51, authType: auth } });
    return {
        main: host.rooted(renderKeepalivedMain("lb", model, "primary")),
        auth: renderAuthDefinition(auth === "HMAC" ? HMAC_KEY : PASS),
    };
}

/** One `pulumi up` on the director: the auth.conf command, then (if it worked) keepalived.conf's. */
function up(host: Host, auth: "PASS" | "HMAC") {
    const files = pairFiles(host, auth);
    const authRun = host.run(keepalivedApply(AUTH_FILE), withCompanion(files.auth, files.main), OWNERS.auth);
    if (authRun.status !== 0) return { failed: "auth.conf", output: authRun.output };
    const mainRun = host.run(keepalivedApply(MAIN_FILE), files.main, OWNERS.main);
    if (mainRun.status !== 0) return { failed: "keepalived.conf", output: mainRun.output };
    return { failed: undefined, output: `${authRun.output}${mainRun.output}` };
}

/** The step worked, the host has the pair, and keepalived never loaded a pair it rejects. */
function assertHasPair(host: Host, res: ReturnType<typeof up>, auth: "PASS" | "HMAC") {
    assert.equal(res.failed, undefined, `the ${res.failed} command failed:\n${res.output}`);
    const files = pairFiles(host, auth);
    assert.equal(host.read("/etc/keepalived/keepalived.conf"), files.main);
    assert.equal(host.read("/etc/keepalived/pulumi-lvs/auth.conf"), files.auth);
    assert.deepEqual(host.events().filter((e) => !e.endsWith(" ok")), [], "every reload and start loaded a pair keepalived accepts");
    const check = spawnSync(path.join(host.bin, "keepalived"), ["-t", "-f", host.path("/etc/keepalived/keepalived.conf")], { env: { ...process.env, FAKE_KEEPALIVED_VERSION: host.version } });
    assert.equal(check.status, 0, "the pair on the host validates");
}

for (const version of keepalivedVersions()) describe(`a director's auth.conf and keepalived.conf, changed together (keepalived ${version}${realKeepalived ? "" : ", fake"})`, function () {
    this.timeout(60_000);
    const hasHmac = Number(version.split(".")[0]) > 2 || Number(version.split(".")[1]) >= 4;
    let host: Host;
    beforeEach(() => { host = new Host(version); });
    afterEach(() => host.remove());

    it("a fresh host gets both files and keepalived starts with them; a second run changes nothing", () => {
        assertHasPair(host, up(host, "PASS"), "PASS");
        assertHasPair(host, up(host, "PASS"), "PASS");
        assert.deepEqual(host.events(), ["start ok"]);
    });

    it("a new password alone is applied and loaded by auth.conf's command", () => {
        assertHasPair(host, up(host, "PASS"), "PASS");
        const files = pairFiles(host, "PASS");
        const res = host.run(keepalivedApply(AUTH_FILE), withCompanion(renderAuthDefinition("newpass1"), files.main), OWNERS.auth);
        assert.equal(res.status, 0, res.output);
        assert.equal(host.read("/etc/keepalived/pulumi-lvs/auth.conf"), renderAuthDefinition("newpass1"));
        assert.deepEqual(host.events(), ["start ok", "reload ok"]);
    });

    it("on the primary, a loaded auth.conf ends its held-secondary note and records the VRRP identity sent ahead (keepalived.conf unchanged)", () => {
        assertHasPair(host, up(host, "PASS"), "PASS");
        fs.writeFileSync(host.path("/state/vrrp-peer-held"), "the secondary director (dir2) is held\n");
        fs.writeFileSync(host.path("/state/vrrp-identity.next"), "abc\n");
        const files = pairFiles(host, "PASS");
        const res = host.run(keepalivedApply(AUTH_FILE), withCompanion(renderAuthDefinition("newpass1"), files.main), OWNERS.auth);
        assert.equal(res.status, 0, res.output);
        assert.equal(host.read("/state/vrrp-peer-held"), undefined, "a later failure here no longer claims a held secondary");
        assert.equal(host.read("/state/vrrp-identity"), "abc\n");
        assert.equal(host.read("/state/vrrp-identity.next"), undefined);
    });

    it("adopting a host whose old keepalived.conf keepalived rejects: both files are written, the old one is kept for destroy", () => {
        const old = "global_defs {\n    router_id old\n}\nvrrp_instanc VI_old {\n}\n"; // a typo keepalived rejects
        fs.writeFileSync(host.path("/etc/keepalived/keepalived.conf"), old);
        fs.writeFileSync(host.path("/keepalived.state"), "active");
        assertHasPair(host, up(host, "PASS"), "PASS");
        assert.deepEqual(host.events(), ["reload ok"], "loaded once, by keepalived.conf's command, with both files");
        const claim = `file ${host.path("/etc/keepalived/keepalived.conf")}`.replace(/%/g, "%25").replace(/\//g, "%2F").replace(/ /g, "%20");
        assert.equal(host.read(`/state/claims/${claim}/.content`), old, "the old keepalived.conf is kept, for destroy");
    });

    // keepalived 2.4 and later: switching authType changes both files.
    if (hasHmac) for (const [from, to] of [["PASS", "HMAC"], ["HMAC", "PASS"]] as const) {
        it(`${from} -> ${to}: both files change, validated and loaded as a pair`, () => {
            assertHasPair(host, up(host, from), from);
            const res = up(host, to);
            assertHasPair(host, res, to);
            assert.match(res.output, /keepalived\.conf updated with it \(validated and loaded together\)/);
            assertHasPair(host, up(host, to), to);
            assert.deepEqual(host.events(), ["start ok", "reload ok"], "one reload, with both files");
        });
    }

    if (hasHmac) it("when the reload of a changed pair fails, both files come back", () => {
        assertHasPair(host, up(host, "PASS"), "PASS");
        fs.writeFileSync(host.path("/reload-fails"), "");
        const res = up(host, "HMAC");
        assert.equal(res.failed, "auth.conf", res.output);
        assert.match(res.output, /FAILED: reloading keepalived failed \(Job for keepalived\.service failed\.\); the previous \S+\/auth\.conf and \S+\/keepalived\.conf were restored/);
        fs.rmSync(host.path("/reload-fails"));
        assertHasPair(host, { failed: undefined, output: "" }, "PASS");
    });

    if (!hasHmac) it("HMAC on a keepalived older than 2.4 is refused by keepalived -t before anything changes", () => {
        assertHasPair(host, up(host, "PASS"), "PASS");
        const res = up(host, "HMAC");
        assert.equal(res.failed, "auth.conf", res.output);
        assert.match(res.output, /FAILED: keepalived rejected the new \S+\/auth\.conf with the new \S+\/keepalived\.conf \(keepalived -t\); nothing was changed/);
        assert.match(res.output, /Unknown keyword 'auth_hmac'/);
        assert.equal(host.read("/etc/keepalived/pulumi-lvs/auth.conf"), renderAuthDefinition(PASS));
    });
});
