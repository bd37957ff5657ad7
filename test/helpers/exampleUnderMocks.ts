// Runs a Pulumi program under mocks and writes, as JSON to <out file>, every resource it registered (type,
// name, inputs). Usage: node -r tsx/cjs exampleUnderMocks.ts <program dir> '<config JSON>' <out file>, the config's
// keys being full ("lab:hosts", "project:weights"; the mocks' project is "project") and its values what
// `pulumi config --json` would give. One process per run: the components keep per-program registries
// (VIPs, router ids, director hosts), so a second program in the same process would clash with the first.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

const [programDir, configJson, outFile] = process.argv.slice(2);
if (!programDir || configJson === undefined || !outFile) throw new Error("usage: exampleUnderMocks.ts <program dir> <config JSON> <out file>");

const registered: Registered[] = [];
pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
    },
    call(args) {
        return args.inputs;
    },
}, "project", "stack", true);

const config = JSON.parse(configJson) as Record<string, unknown>;
pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));

process.on("exit", (code) => {
    if (code === 0) fs.writeFileSync(outFile, JSON.stringify(registered.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`))));
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.resolve(programDir));
