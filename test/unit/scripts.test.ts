// The remote scripts as the hosts receive them: they parse, and no parameter escapes its quoting.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AUTH_FILE, keepalivedApply, keepalivedDelete } from "../../src/remote/keepalivedFile";
import { keepalivedSetApply, keepalivedSetDelete } from "../../src/remote/keepalivedSet";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../../src/remote/packages";
import { hostCommandText, type Owner, packScripts, params, shq, unpackedStdin } from "../../src/remote/shell";
import { sysctlApply, sysctlDelete } from "../../src/remote/sysctl";
import { unitApply, unitDelete } from "../../src/remote/unit";
import { fwApply, fwDelete } from "../../src/remote/firewall";
import { factsRead } from "../../src/remote/facts";

const OWNER: Owner = { urn: "urn:pulumi:test::unit::pulumi-lvs:index:RealServer$command:remote:Command::x", token: "0123456789abcdef" };

const bash = (script: string, input = "") => spawnSync("bash", ["-c", script], { encoding: "utf8", input });

const scripts: Record<string, string> = {
    "packages create": packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]),
    "packages delete": packagesDelete(DIRECTOR_PACKAGES),
    "sysctl apply": sysctlApply("director-lb"),
    "sysctl delete": sysctlDelete("director-lb"),
    "keepalived main apply": keepalivedApply({ kind: "main", target: "/etc/keepalived/keepalived.conf" }),
    "keepalived auth apply": keepalivedApply(AUTH_FILE),
    "keepalived service apply": keepalivedApply({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf", verifyIpvs: "-t 10.0.0.10:80" }),
    "keepalived delete": keepalivedDelete({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf" }),
    "service set apply": keepalivedSetApply("apps"),
    "service set delete": keepalivedSetDelete("apps"),
    "unit apply": unitApply("pulumi-lvs-vip-rs1.service", { expect: ["lo=10.0.0.10/32"] }),
    "unit delete": unitDelete("pulumi-lvs-vip-rs1.service", { expect: ["lo=10.0.0.10/32"] }),
    "TUN unit apply": unitApply("pulumi-lvs-vip-rs6.service", { expect: ["tunl0=10.0.0.10/32"], link: "tunl0", module: "ipip" }),
    "TUN unit delete": unitDelete("pulumi-lvs-vip-rs6.service", { expect: ["tunl0=10.0.0.10/32"], link: "tunl0", module: "ipip" }),
    "route unit apply": unitApply("pulumi-lvs-vip-rs4.service", { expect: [], routeVia: "10.202.0.100" }),
    "route unit delete": unitDelete("pulumi-lvs-vip-rs4.service", { expect: [], routeVia: "10.202.0.100" }),
    "fw apply": fwApply("PLVS_lb"),
    "fw delete": fwDelete("PLVS_lb"),
    "facts": factsRead({ version: "2.4", reason: "auth_hmac" }),
};

/** The line a script's body starts at (BODY_START): the lines before it are its parameters, prelude and libraries. */
const bodyStartOf = (text: string) => Number(/^BODY_START='(\d+)'$/m.exec(text)![1]);

describe("remote scripts", () => {
    for (const [what, script] of Object.entries(scripts)) {
        it(`${what}: the script and its root wrapper parse`, () => {
            for (const text of [script, hostCommandText(what, script, script, "", OWNER).create, hostCommandText(what, script, script, "", OWNER).delete!]) {
                const res = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
                assert.equal(res.status, 0, res.stderr);
            }
        });
    }

    it("shell-quotes any value exactly", () => {
        for (const value of ["plain", "it's", "$(touch /tmp/pwned)", "`id`", "a\nb", "'; rm -rf / #", "\\'\"", ""]) {
            assert.equal(bash(`printf %s ${shq(value)}`).stdout, value);
            assert.equal(bash(`${params({ V: value })}\nprintf %s "$V"`).stdout, value);
        }
    });

    it("runs the script as root, passing the rest of stdin through untouched; delete runs its own script", () => {
        const text = hostCommandText("echo", `cat; echo " as $(id -u)"`, `echo "removed, stdin: $(cat)"`, "file content\nwith 'quotes' and ünïcode\n", OWNER);
        assert.equal(bash(text.create, text.stdin).stdout, `file content\nwith 'quotes' and ünïcode\n as ${process.getuid!()}\n`);
        assert.equal(bash(text.delete!, text.stdin).stdout, "removed, stdin: file content\nwith 'quotes' and ünïcode\n");
        assert.ok(text.create.length < 400, `the command stays short (${text.create.length} characters)`);
    });

    it("the scripts travel packed on one line of stdin, the same bytes on every machine; a cut line fails before any script runs", () => {
        // Fixed: pako's gzip, level 9, no file name or time. Another packing of the same text would be an update
        // of every command on the next \`up\`.
        assert.equal(packScripts("echo pulumi-lvs\n"), "H4sIAAAAAAACA0tNzshXKCjNKc3N1M0pK+YCAMmH8/sQAAAA");
        const text = hostCommandText("echo", `echo ran; cat`, "true", "content\n", OWNER);
        const lines = text.stdin.split("\n");
        assert.equal(lines.length, 4, "owner, packed scripts, content");
        assert.equal(unpackedStdin(text.stdin), `${OWNER.token} ${OWNER.urn}\necho ran; catcontent\n`);
        assert.equal(bash(text.create, text.stdin).stdout, "ran\ncontent\n");
        for (const cut of [`${lines[0]}\n${lines[1]!.slice(0, -8)}\ncontent\n`, `${lines[0]}\n`, `${lines[0]}\n${lines[1]!.slice(0, 20)}`]) {
            const res = bash(text.create, cut);
            assert.equal(res.stdout, "", "nothing ran");
            assert.match(res.stderr, /pulumi-lvs: FAILED: cannot unpack the scripts \(gzip, base64\?\)/);
            assert.notEqual(res.status, 0);
        }
    });

    it("a command's two scripts share their prelude and libraries on stdin: each phase still runs its own script, byte for byte", () => {
        const pairs: [string, string][] = [
            [keepalivedApply({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf", verifyIpvs: "-t 10.0.0.10:80" }), keepalivedDelete({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf" })],
            [sysctlApply("director-lb"), sysctlDelete("director-lb")],
            [fwApply("PLVS_lb"), fwDelete("PLVS_lb")],
            [keepalivedSetApply("apps"), keepalivedSetDelete("apps")],
        ];
        const input = "file content\nwith 'quotes' and ünïcode\n";
        for (const [apply, remove] of pairs) {
            const text = hostCommandText("x", apply, remove, input, OWNER);
            const apart = Buffer.byteLength(apply) + Buffer.byteLength(remove);
            assert.ok(Buffer.byteLength(text.stdin) < apart * 0.75, `stdin ${Buffer.byteLength(text.stdin)} bytes for scripts of ${apart}`);
            // What each phase hands to bash, then the rest of stdin: the script exactly, then the input untouched.
            for (const [command, script] of [[text.create, apply], [text.update, apply], [text.delete!, remove]] as const) {
                const shown = command.replace(/exec \/bin\/bash -c ("[^"]*") plvs-/, "printf %s $1; cat; exit 0; : ");
                assert.notEqual(shown, command, "the command runs the script through bash -c");
                const res = bash(shown, text.stdin);
                assert.equal(res.status, 0, res.stderr);
                assert.ok(res.stdout === script + input, `${command.split("\n")[0]}: runs its own script, then reads the input`);
            }
        }
    });

    it("a script travels without its comments, each line at its place in the file (a FAILED line names the file's line)", () => {
        const text = factsRead();
        const body = text.split("\n").slice(bodyStartOf(text) - 1);
        const file = fs.readFileSync(path.join(__dirname, "..", "..", "src", "remote", "scripts", "facts.sh"), "utf8").split("\n");
        assert.equal(body.length, file.length);
        assert.ok(file.some((l) => l.startsWith("#")), "facts.sh has comment lines");
        file.forEach((line, i) => assert.equal(body[i], /^\s*#/.test(line) ? "" : line, `line ${i + 1}`));
        assert.doesNotMatch(text, /^\s*#/m, "no comment line in the prelude and libraries either");
    });

    it("a script that fails leads its output with its FAILED line; an unexpected failure names its command and line", () => {
        // The prelude and parameters of a real script, with a body of our own and a state folder in /tmp.
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-state-"));
        const withBody = (lines: string) => {
            const text = factsRead().replace(/^STATE_DIR='[^']*'$/m, `STATE_DIR=${shq(state)}`);
            return `${text.split("\n").slice(0, bodyStartOf(text) - 1).join("\n")}\n${lines}\n`;
        };
        try {
            // A command's own complaint on stderr comes after the FAILED line, then the progress notes.
            const failing = hostCommandText("x", withBody('say "progress before"\nls /no/such/path || fail "the reason" "a detail"'), "true", "", OWNER);
            let res = bash(failing.create, failing.stdin);
            assert.equal(res.status, 1);
            assert.match(res.stderr, /^pulumi-lvs\[[^\]]+\]: FAILED: the reason\na detail\nls: cannot access '\/no\/such\/path': No such file or directory\npulumi-lvs\[[^\]]+\]: progress before\n$/);
            const unexpected = hostCommandText("x", withBody("true\nno_such_command_here --flag\necho not reached"), "true", "", OWNER);
            res = bash(unexpected.create, unexpected.stdin);
            assert.equal(res.status, 127);
            assert.match(res.stderr, /pulumi-lvs\[[^\]]+\]: FAILED: `no_such_command_here --flag` exited with status 127 \(line 2 of facts\.sh\); nothing after it ran\n/);
            assert.doesNotMatch(res.stdout, /not reached/);
            // A failure inside a function whose stderr is thrown away still reports (fd 8).
            const hidden = hostCommandText("x", withBody('f() { fail "said anyway"; }\nf 2>/dev/null || true'), "true", "", OWNER);
            res = bash(hidden.create, hidden.stdin);
            assert.equal(res.status, 1);
            assert.match(res.stderr, /FAILED: said anyway/);
        } finally {
            fs.rmSync(state, { recursive: true, force: true });
        }
    });

    it("facts: names the VIPs of the keepalived.conf in force, which keepalived may hold while the facts are read", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-facts-"));
        try {
            // A keepalived that only tells its version (the prelude puts the system folders first: a real one also works).
            fs.writeFileSync(path.join(dir, "keepalived"), "#!/bin/sh\necho 'Keepalived v2.2.7 (01/16,2022)'\n", { mode: 0o755 });
            fs.copyFileSync(path.join(__dirname, "golden", "keepalived-nat-full-primary.conf"), path.join(dir, "keepalived.conf"));
            const text = factsRead()
                .replace(/^STATE_DIR='[^']*'$/m, `STATE_DIR=${shq(path.join(dir, "state"))}`)
                .replace(/^KEEPALIVED_CONF='[^']*'$/m, `KEEPALIVED_CONF=${shq(path.join(dir, "keepalived.conf"))}`);
            const res = spawnSync("bash", ["-c", text], { encoding: "utf8", env: { ...process.env, PATH: `${process.env.PATH}:${dir}` } });
            assert.equal(res.status, 0, res.stderr);
            assert.deepEqual(res.stdout.split("\n").filter((l) => !l.startsWith("addr ")), ["keepalived 2.2.7", "vip 10.201.0.100/32", "vip fd00:201::100/128", "vip 10.202.0.100/24", ""]);
            fs.rmSync(path.join(dir, "keepalived.conf"));
            const without = spawnSync("bash", ["-c", text], { encoding: "utf8", env: { ...process.env, PATH: `${process.env.PATH}:${dir}` } });
            assert.equal(without.status, 0, without.stderr);
            assert.doesNotMatch(without.stdout, /^vip /m, "no keepalived.conf yet: no VIPs");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rejects parameter names that are not shell variables", () => {
        assert.throws(() => params({ "X; rm": "v" }), /bad parameter name/);
    });
});
