// The provider behind the component package (plugin/PulumiPlugin.yaml): Python, Go and other programs
// construct the four components through it, in this one Node.js process. Its schema was made at build
// time (packageSchema.ts), so running it needs neither the TypeScript sources nor the compiler.
// A component handed to another one (a VirtualService's `directors`, a realServers entry's `realServer`)
// arrives as a resource reference: it is resolved to the live component this process constructed, since
// what a VirtualService needs of its pair (connections, the commands to follow) never leaves the process.
import * as pulumi from "@pulumi/pulumi";
import type { ConstructResult, Provider } from "@pulumi/pulumi/provider";
import { LvsDirectorPair } from "../components/LvsDirectorPair";
import { RealServer } from "../components/RealServer";
import { VirtualService } from "../components/VirtualService";
import { VirtualServiceSet } from "../components/VirtualServiceSet";
import { PACKAGE_NAME } from "./names";

type Component = new (name: string, args: never, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;
const COMPONENTS = new Map<string, Component>([["LvsDirectorPair", LvsDirectorPair], ["VirtualService", VirtualService], ["VirtualServiceSet", VirtualServiceSet], ["RealServer", RealServer]]);

// URN -> the component constructed for it, for the resource references that name it.
const constructed = new Map<string, pulumi.Resource>();
pulumi.runtime.registerResourceModule(PACKAGE_NAME, "index", {
    construct(_name, type, urn) {
        const live = constructed.get(urn);
        if (live === undefined) throw new Error(`${type} ${urn} is not a component this program created in this run: pass the component object itself`);
        return live;
    },
});

interface Schema { resources: Record<string, { properties: Record<string, unknown> }> }

export class LvsComponentProvider implements Provider {
    readonly version: string;
    private readonly parsed: Schema;

    /** `schemaText`: the schema packageSchema() made. */
    constructor(private readonly schemaText: string) {
        this.parsed = JSON.parse(schemaText) as Schema;
        this.version = (this.parsed as Schema & { version: string }).version;
    }

    async getSchema(): Promise<string> {
        return this.schemaText;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
        const prefix = `${PACKAGE_NAME}:index:`;
        const Component = type.startsWith(prefix) ? COMPONENTS.get(type.slice(prefix.length)) : undefined;
        const outputs = this.parsed.resources[type]?.properties;
        if (Component === undefined || outputs === undefined) throw new Error(`unknown resource type ${type}: ${PACKAGE_NAME} has ${[...COMPONENTS.keys()].join(", ")}`);
        const instance = new Component(name, await withPlainMaps(type, inputs) as never, options);
        // The URN's own promise: it fails, rather than never settling, when the registration fails.
        constructed.set(await (instance.urn as unknown as { promise(): Promise<string> }).promise(), instance);
        const members = instance as unknown as Record<string, unknown>;
        return { urn: instance.urn, state: Object.fromEntries(Object.keys(outputs).map((key) => [key, members[key]])) };
    }
}

/** Inputs whose keys a component needs when it is constructed (they name its resources): a map, not an Output. */
const PLAIN_MAPS: Record<string, string[]> = { [`${PACKAGE_NAME}:index:VirtualServiceSet`]: ["services"] };

/**
 * The engine hands a component an input that holds resource references (a RealServer) as one Output, to
 * carry their dependencies. A component that needs the input's keys at construction gets its value: the
 * references in it are the live components, whose dependencies the component adds itself. A value not
 * known yet, or secret as a whole, stays an Output (the component then says what it needs).
 */
async function withPlainMaps(type: string, inputs: pulumi.Inputs): Promise<pulumi.Inputs> {
    const out = { ...inputs };
    for (const key of PLAIN_MAPS[type] ?? []) {
        const value = out[key];
        if (!pulumi.Output.isInstance(value)) continue;
        const o = value as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(): Promise<unknown> };
        if ((await o.isKnown) && !(await o.isSecret)) out[key] = await o.promise();
    }
    return out;
}

