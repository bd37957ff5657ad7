// The demo's printed next step (scripts/demo.sh) does what it says: examples/lab-dr run under Pulumi mocks
// with the stack config the demo leaves, then with the config that step sets, differs in one keepalived
// line per director and in nothing else.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
const example = path.join(root, "examples", "lab-dr");

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** The lab's hosts as `lab status --json` lists them: the directors and the front real servers. */
const labHosts = ["dir1", "dir2", "rs1", "rs2", "rs3"].map((name, i) => ({
    name,
    role: name.startsWith("dir") ? "director" : "real",
    ssh: { host: "127.0.0.1", port: 2201 + i, user: "root" },
    addresses: [{ segment: "front", interface: "eth0", address: `10.201.0.${name.startsWith("dir") ? 11 + i : 19 + i}` }],
}));

/** The config `npm run demo` leaves on a fresh stack. */
const demoConfig = {
    "lab:hosts": labHosts,
    "lab:privateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nMOCK\n-----END OPENSSH PRIVATE KEY-----",
    "project:vrrpPassword": "pw123456",
};

/** `pulumi config set --path a.b 5` as the CLI applies it: integers become numbers, top-level keys are the project's. */
function setPath(config: Record<string, unknown>, keyPath: string, raw: string): Record<string, unknown> {
    const [top, ...rest] = keyPath.split(".");
    const key = `project:${top}`;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : raw === "true" || raw === "false" ? raw === "true" : raw;
    if (rest.length === 0) return { ...config, [key]: raw };
    const obj = structuredClone((config[key] as Record<string, unknown> | undefined) ?? {});
    let at = obj;
    for (const part of rest.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[rest[rest.length - 1]!] = value;
    return { ...config, [key]: obj };
}

function run(config: Record<string, unknown>): Registered[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-example-"));
    try {
        const out = path.join(dir, "registered.json");
        const res = spawnSync(process.execPath, ["-r", "tsx/cjs", path.join(root, "test", "helpers", "exampleUnderMocks.ts"), example, JSON.stringify(config), out], {
            cwd: root, encoding: "utf8",
        });
        assert.equal(res.status, 0, res.stderr);
        return JSON.parse(fs.readFileSync(out, "utf8")) as Registered[];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The lines that differ between two texts of the same length in lines (undefined when the lengths differ). */
function changedLines(a: string, b: string): Array<[string, string]> | undefined {
    const [la, lb] = [a.split("\n"), b.split("\n")];
    if (la.length !== lb.length) return undefined;
    return la.flatMap((line, i) => (line === lb[i] ? [] : [[line, lb[i]!] as [string, string]]));
}

describe("the demo's next step (examples/lab-dr under mocks)", function () {
    this.timeout(120_000);

    it("`pulumi config set --path weights.rs1 5` changes rs1's weight line in the web service on each director, and nothing else", () => {
        const demo = fs.readFileSync(path.join(root, "scripts", "demo.sh"), "utf8");
        const step = /pulumi config set --path (\S+) (\S+) && pulumi preview --diff/.exec(demo);
        assert.ok(step, "demo.sh suggests a `pulumi config set --path` step");
        const before = run(demoConfig);
        const after = run(setPath(demoConfig, step[1]!, step[2]!));

        const key = (r: Registered) => `${r.type}::${r.name}`;
        assert.deepEqual(after.map(key), before.map(key), "the same resources, none added or deleted");
        const changed = before.flatMap((b, i) => {
            const a = after[i]!;
            return Object.keys({ ...b.inputs, ...a.inputs })
                .filter((k) => JSON.stringify(b.inputs[k]) !== JSON.stringify(a.inputs[k]))
                .map((k) => ({ resource: b.name, input: k, lines: typeof b.inputs[k] === "string" && typeof a.inputs[k] === "string" ? changedLines(b.inputs[k] as string, a.inputs[k] as string) : undefined }));
        });
        assert.deepEqual(changed.map((c) => `${c.resource}.${c.input}`), ["web-primary.stdin", "web-secondary.stdin"]);
        for (const c of changed) assert.deepEqual(c.lines, [["        weight 3", "        weight 5"]], `${c.resource}: one line`);
    });
});
