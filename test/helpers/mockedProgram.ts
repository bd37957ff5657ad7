// A Pulumi program run under mocks (exampleUnderMocks.ts in a process of its own) and what tests read
// from the run: resources by type and name, what each depends on (transitively), secrets told apart from
// plaintext in the engine's wire form.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRET_SIG } from "./cloudMocks";
import type { Registered, RegisteredOutputs } from "./exampleUnderMocks";

const root = path.resolve(__dirname, "..", "..");

export interface Run {
    resources: Registered[];
    outputs: RegisteredOutputs[];
}

/** Runs examples/<example> under the mocks of test/helpers/<mocks>.ts with this stack config. */
export function runExample(example: string, config: Record<string, unknown>, mocks: string): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-mocked-"));
    try {
        const out = path.join(dir, "registered.json");
        const res = spawnSync(process.execPath, [
            "-r", "tsx/cjs", path.join(root, "test", "helpers", "exampleUnderMocks.ts"),
            path.join(root, "examples", example), JSON.stringify(config), out, path.join(root, "test", "helpers", `${mocks}.ts`),
        ], { cwd: root, encoding: "utf8" });
        assert.equal(res.status, 0, `examples/${example} under mocks failed:\n${res.stderr}${res.stdout}`);
        return JSON.parse(fs.readFileSync(out, "utf8")) as Run;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const isSecret = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG.key] === SECRET_SIG.value;
/** A value with its secret wrappers removed. */
export const unwrap = (v: unknown): any => (isSecret(v) ? unwrap(v.value) : Array.isArray(v) ? v.map(unwrap) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)])) : v);

/** Where a needle shows outside any secret (path of each hit), and how often it shows inside one. */
export function findSecrets(value: unknown, needles: string[], at = "", inSecret = false, hits = { plain: [] as string[], wrapped: 0 }) {
    if (isSecret(value)) findSecrets(value.value, needles, at, true, hits);
    else if (typeof value === "string") {
        for (const n of needles) {
            if (!value.includes(n)) continue;
            if (inSecret) hits.wrapped++;
            else hits.plain.push(at);
        }
    } else if (Array.isArray(value)) value.forEach((v, i) => findSecrets(v, needles, `${at}[${i}]`, inSecret, hits));
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) findSecrets(v, needles, at ? `${at}.${k}` : k, inSecret, hits);
    return hits;
}

/** The lines of a PEM body that only this key has (what a leak would show). */
export const pemBody = (pem: string) => pem.split("\n").filter((l) => l.length >= 20 && !l.startsWith("-----"));

/** Every secret needle in plaintext anywhere in a run: resources' inputs and outputs, registered outputs, exports. */
export function plaintextSecrets(run: Run, needles: string[]): string[] {
    return [
        ...run.resources.flatMap((r) => [["inputs", r.inputs], ["outputs", r.outputs]].flatMap(([what, v]) => findSecrets(v, needles).plain.map((p) => `${r.type} "${r.name}" ${String(what)}: ${p}`))),
        ...run.outputs.flatMap((o) => findSecrets(o.outputs, needles).plain.map((p) => `${o.urn}: ${p}`)),
    ];
}

export type Graph = ReturnType<typeof graph>;

/** Helpers over one run. */
export function graph(run: Run) {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const of = (type: string, name: string) => {
        const r = run.resources.find((x) => x.type === type && x.name === name);
        assert.ok(r, `no ${type} "${name}" was registered`);
        return r;
    };
    const names = (type: string) => run.resources.filter((r) => r.type === type).map((r) => r.name).sort();
    /** Everything `r` depends on, directly or through what it depends on (URNs). */
    const closure = (r: Registered): Set<string> => {
        const seen = new Set<string>();
        const todo = [...r.dependencies];
        while (todo.length) {
            const urn = todo.pop()!;
            if (seen.has(urn)) continue;
            seen.add(urn);
            todo.push(...(byUrn.get(urn)?.dependencies ?? []));
        }
        return seen;
    };
    const childrenOf = (parent: Registered) => run.resources.filter((r) => r.parent === parent.urn);
    return { of, names, closure, childrenOf };
}
