// The provider behind the component package (plugin/PulumiPlugin.yaml): Python, Go and other programs
// construct the three components through it, in this one Node.js process.
// A component handed to another one (a VirtualService's `directors`, a realServers entry's `realServer`)
// arrives as a resource reference: it is resolved to the live component this process constructed, since
// what a VirtualService needs of its pair (connections, the commands to follow) never leaves the process.
import * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { LvsDirectorPair } from "../components/LvsDirectorPair";
import { RealServer } from "../components/RealServer";
import { VirtualService } from "../components/VirtualService";
import { analyzeComponents } from "./schemaAnalyzer";

export const PACKAGE_NAME = "pulumi-lvs";
const COMPONENTS: Record<string, new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource> = {
    LvsDirectorPair, VirtualService, RealServer,
};

// URN -> the component constructed for it, for the resource references that name it.
const constructed = new Map<string, pulumi.Resource>();
pulumi.runtime.registerResourceModule(PACKAGE_NAME, "index", {
    construct(_name, type, urn) {
        const live = constructed.get(urn);
        if (live === undefined) throw new Error(`${type} ${urn} is not a component this program created in this run: pass the component object itself`);
        return live;
    },
});

/** The schema Pulumi infers from the components' Args, and the component outputs by component. */
export interface PackageSchema { schema: Record<string, unknown>; outputs: Record<string, string[]> }

/** The schema of the package whose plugin folder (PulumiPlugin.yaml, tsconfig.json, index.ts) is `dir`. */
export function packageSchema(dir: string, version: string, description: string): PackageSchema {
    const { components, typeDefinitions, dependencies } = analyzeComponents(dir, PACKAGE_NAME, { version, description }, Object.keys(COMPONENTS));
    const schema = generateSchema(PACKAGE_NAME, version, description, components, typeDefinitions, dependencies) as unknown as Record<string, unknown>;
    const python = { packageName: "pulumi_lvs", respectSchemaVersion: true };
    schema.language = { ...(schema.language as object), python };
    const outputs = Object.fromEntries(Object.entries(components).map(([name, c]) => [name, Object.keys(c.outputs)]));
    return { schema: sdkTypeNames(schema), outputs };
}

// What a RealServer takes: in the module "host" of the schema, since Python's SDK cannot have them beside
// a type that refers to the RealServer resource (a realServers entry): its generated _inputs.py imports
// real_server.py, which imports _inputs.py back and would miss them (a circular import).
const HOST_TYPES = ["ConnectionArgs", "JumpHostArgs", "RealServerFirewallArgs", "FirewallPortArgs", "Protocol"];

/**
 * The SDKs' names of the types: the TypeScript names of nested input types end in "Args" (VrrpArgs), and
 * each SDK adds its own suffix, so the schema has Vrrp (Python and Go then get VrrpArgs, not VrrpArgsArgs).
 */
function sdkTypeNames(schema: Record<string, unknown>): Record<string, unknown> {
    const index = `${PACKAGE_NAME}:index:`;
    let text = JSON.stringify(schema);
    for (const token of Object.keys(schema.types as object)) {
        const name = token.slice(index.length);
        const renamed = `${PACKAGE_NAME}:${HOST_TYPES.includes(name) ? "host" : "index"}:${name.replace(/Args$/, "")}`;
        text = text.replaceAll(`"${token}"`, `"${renamed}"`).replaceAll(`"#/types/${token}"`, `"#/types/${renamed}"`);
    }
    return JSON.parse(text) as Record<string, unknown>;
}

export class LvsComponentProvider implements Provider {
    private analyzed?: PackageSchema;

    constructor(private readonly dir: string, readonly version: string, private readonly description: string) {}

    private analysis(): PackageSchema {
        this.analyzed ??= packageSchema(this.dir, this.version, this.description);
        return this.analyzed;
    }

    async getSchema(): Promise<string> {
        return JSON.stringify(this.analysis().schema);
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        const component = type.startsWith(`${PACKAGE_NAME}:index:`) ? type.slice(PACKAGE_NAME.length + 7) : "";
        const Component = COMPONENTS[component];
        if (Component === undefined) throw new Error(`unknown resource type ${type}: ${PACKAGE_NAME} has ${Object.keys(COMPONENTS).join(", ")}`);
        const instance = new Component(name, inputs as never, options);
        constructed.set(await new Promise<string>((resolve) => instance.urn.apply(resolve)), instance);
        const members = instance as unknown as Record<string, unknown>;
        const state = Object.fromEntries(this.analysis().outputs[component]!.map((key) => [key, members[key]]));
        return { urn: instance.urn, state };
    }
}
