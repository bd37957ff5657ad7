// Injection: every string that reaches a shell is quoted. 10,000 random hostile values go through the
// real quoting (params, and the command + stdin every remote command is built as) and are run by bash in a sandbox
// (user nobody, no network, an empty work folder): each must come back byte for byte, and no canary
// command may ever run. Values that land in keepalived tokens are rejected by validation instead:
// whatever the schemas accept renders as exactly one line, with no quote or brace of its own.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { directorPairSchema } from "../../src/model/directorPair";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { renderKeepalivedMain } from "../../src/render/keepalivedMain";
import { renderVirtualService } from "../../src/render/keepalivedService";
import { hostCommandText, type Owner, params } from "../../src/remote/shell";

const OWNER: Owner = { urn: "urn:pulumi:test::unit::pulumi-lvs:index:RealServer$command:remote:Command::x", token: "0123456789abcdef" };

const CASES = 10_000;
const BATCH = 250;
const CANARY = "canary-ran";

/** Shell metacharacters and attack fragments, mixed with arbitrary text (no NUL: it cannot be in argv). */
const hostile = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.array(fc.constantFrom("'", '"', "`", "$", "(", ")", ";", "&", "|", "\\", "\n", "\r", " ", "*", "?", "!", "#", "{", "}", "<", ">", "~", "%", "$(", "${", "'\\''",
        `$(touch ${CANARY})`, `\`touch ${CANARY}\``, `'; touch ${CANARY}; '`, `"; touch ${CANARY}; "`, `\ntouch ${CANARY}\n`, "${IFS}", "$((1+1))"), { maxLength: 12 }).map((a) => a.join("")),
).map((s) => s.replace(/\0/g, ""));

function sandbox(): { dir: string; bin: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-fuzz-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // The command runs `sudo -n` when not root; the sandbox user is not, so sudo just runs the command.
    fs.writeFileSync(path.join(bin, "sudo"), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
    fs.mkdirSync(path.join(dir, "work"));
    fs.chmodSync(dir, 0o755);
    spawnSync("chown", ["-R", "65534:65534", path.join(dir, "work")]);
    return { dir, bin };
}

/** Runs each command with its stdin in a subshell of one bash, as nobody without network; returns stdout. */
function runSandboxed(box: { dir: string; bin: string }, commands: { command: string; stdin: string }[]): string {
    const script = commands.map((c, i) => {
        const input = path.join(box.dir, `stdin-${i}`);
        fs.writeFileSync(input, c.stdin, { mode: 0o644 });
        return `(\n${c.command}\n) < ${input}`;
    }).join("\n");
    const file = path.join(box.dir, "batch.sh");
    fs.writeFileSync(file, script, { mode: 0o644 });
    const asNobody = process.getuid?.() === 0 ? ["unshare", "-n", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const res = spawnSync(asNobody[0] ?? "bash", [...asNobody.slice(1), ...(asNobody.length ? ["bash"] : []), file], {
        cwd: path.join(box.dir, "work"),
        env: { PATH: `${box.bin}:/usr/bin:/bin`, HOME: path.join(box.dir, "work"), LC_ALL: "C" },
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(res.status, 0, res.stderr.toString());
    return res.stdout.toString("utf8");
}

describe("injection", function () {
    this.timeout(300_000);

    it(`${CASES} hostile values keep their exact bytes through params and the remote command, and never run a command`, () => {
        const box = sandbox();
        try {
            const values = fc.sample(hostile, { numRuns: CASES, seed: 20261121 });
            let checked = 0;
            for (let i = 0; i < values.length; i += BATCH) {
                const batch = values.slice(i, i + BATCH);
                // Each value as a plain parameter, inside a list parameter, and in the title comment.
                const commands = batch.map((v) => {
                    const text = hostCommandText(`title ${v}`, `${params({ VALUE: v, LIST: [v, "x"] })}\nprintf '%s\\0%s\\0' "$VALUE" "$LIST"`, "true", "", OWNER);
                    return { command: text.create, stdin: text.stdin };
                });
                const out = runSandboxed(box, commands).split("\0");
                batch.forEach((v, j) => {
                    assert.equal(out[2 * j], v, `value ${JSON.stringify(v)} came back as ${JSON.stringify(out[2 * j])}`);
                    assert.equal(out[2 * j + 1], `${v} x`);
                });
                assert.ok(!fs.existsSync(path.join(box.dir, "work", CANARY)), `a canary ran in batch ${i / BATCH}`);
                checked += batch.length;
            }
            assert.equal(checked, CASES);
            console.log(`      fuzz cases run: ${checked}, escaped: 0, canaries run: 0`);
        } finally {
            fs.rmSync(box.dir, { recursive: true, force: true });
        }
    });

    it("whatever the schemas accept in keepalived tokens renders as one line, with no quote or brace of its own", () => {
        const base = { interface: "eth0", vips: ["10.0.0.10"] };
        let accepted = 0;
        fc.assert(fc.property(hostile, hostile, hostile, (iface, command, urlPath) => {
            const pair = directorPairSchema.safeParse({ ...base, interface: iface.slice(0, 15) || "x", vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: `/${command}` }], notify: { master: `/${command}` } } });
            if (pair.success) {
                accepted++;
                const text = renderKeepalivedMain("lb", pair.data, "primary");
                assert.equal(text.split("\n").filter((l) => l.includes(`"/${command}"`)).length, 2, "the command is on exactly its two lines");
                assert.equal((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length, "braces balance");
                for (const l of text.split("\n")) assert.ok((l.match(/"/g) ?? []).length % 2 === 0, `unbalanced quotes in ${l}`);
            }
            const svc = virtualServiceSchema.safeParse({ vip: "10.0.0.10", port: 80, healthCheck: { type: "HTTP", path: `/${urlPath}` }, realServers: [{ address: "10.0.0.21" }] });
            if (svc.success) {
                accepted++;
                const text = renderVirtualService("web", svc.data);
                assert.equal((text.match(/\{/g) ?? []).length, (text.match(/\}/g) ?? []).length, "braces balance");
                assert.ok(text.includes(`path /${urlPath}\n`));
            }
        }), { numRuns: 2000, seed: 20261121 });
        console.log(`      token values tried: 6000, accepted by validation and rendered safely: ${accepted}`);
    });
});
