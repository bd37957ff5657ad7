// Runs a Pulumi program under mocks (as a preview) and writes, as JSON to <out file>, every resource it
// registered (type, name, inputs, what the mocks returned, what it depends on), every outputs
// registration of a component and the program's exports (as "stack exports"). Usage:
//   node -r tsx/cjs exampleUnderMocks.ts <program dir> '<config JSON>' <out file> [<mocks module>]
// the config's keys being full ("lab:hosts", "project:weights"; the mocks' project is "project") and its
// values what `pulumi config --json` would give. The mocks module, when given, exports
// newResource(args) and call(args) that answer for the resources and functions it knows (undefined for the
// others, which get the defaults: their inputs back, an empty stdout). One process per run: the components
// keep per-program registries (VIPs, router ids, director hosts), so a second program in the same process
// would clash with the first.
// Secrets stay wrapped as the engine receives them ({ "4dabf18193072939515e22adb298388d": "1b47…", value }),
// so a reader can tell a secret from a plaintext value.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    /** The URN the mocks gave it: "urn:pulumi:stack::project::<parent types>$<type>::<name>". */
    urn: string;
    custom: boolean;
    /** The id the mocks gave it. */
    id: string;
    inputs: Record<string, unknown>;
    /** The state the mocks returned (its outputs). */
    outputs: Record<string, unknown>;
    /** The URNs it depends on, as the engine gets them (dependsOn, Output dependencies, not its parent). */
    dependencies: string[];
    parent: string;
}

export interface RegisteredOutputs {
    urn: string;
    outputs: Record<string, unknown>;
}

export interface MocksModule {
    newResource?(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } | undefined;
    call?(args: pulumi.runtime.MockCallArgs): Record<string, unknown> | undefined;
}

const [programDir, configJson, outFile, mocksPath] = process.argv.slice(2);
if (!programDir || configJson === undefined || !outFile) throw new Error("usage: exampleUnderMocks.ts <program dir> <config JSON> <out file> [<mocks module>]");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const custom: MocksModule = mocksPath ? require(path.resolve(mocksPath)) : {};

const registered: Registered[] = [];
const outputs: RegisteredOutputs[] = [];
/** What the engine gets with each registration, by "type::name" (the mocks' newResource does not see it). */
const requests = new Map<string, { urn: string; dependencies: string[]; parent: string; custom: boolean }>();

pulumi.runtime.setMocks({
    newResource(args) {
        const answer = custom.newResource?.(args) ?? { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
        registered.push({ type: args.type, name: args.name, urn: "", custom: false, id: answer.id, inputs: args.inputs, outputs: answer.state, dependencies: [], parent: "" });
        return answer;
    },
    call(args) {
        return custom.call?.(args) ?? args.inputs;
    },
}, "project", "stack", true);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const monitor = (require("@pulumi/pulumi/runtime/settings") as typeof import("@pulumi/pulumi/runtime/settings")).getMonitor() as any;
const registerResource = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    return registerResource(req, (err: unknown, resp: any) => {
        if (!err) {
            requests.set(`${req.getType()}::${req.getName()}`, {
                urn: resp.getUrn(), dependencies: req.getDependenciesList() as string[], parent: req.getParent() as string, custom: req.getCustom() as boolean,
            });
        }
        callback(err, resp);
    });
};
const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
monitor.registerResourceOutputs = (req: any, callback: unknown) => {
    outputs.push({ urn: req.getUrn(), outputs: req.getOutputs()?.toJavaScript() ?? {} });
    return registerResourceOutputs(req, callback);
};

const config = JSON.parse(configJson) as Record<string, unknown>;
pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));

/** The program's exports, in the engine's wire form (secrets wrapped). */
let exported: Record<string, unknown> | undefined;
process.on("exit", (code) => {
    if (code !== 0) return;
    for (const r of registered) Object.assign(r, requests.get(`${r.type}::${r.name}`) ?? {});
    const sorted = registered.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    const all = exported ? [...outputs, { urn: "stack exports", outputs: exported }] : outputs;
    fs.writeFileSync(outFile, JSON.stringify(mocksPath ? { resources: sorted, outputs: all } : sorted));
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = require(path.resolve(programDir)) as Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as typeof import("@pulumi/pulumi/runtime/rpc");
void rpc.serializeProperties("exports", { ...program }).then((wire) => { exported = wire; });
