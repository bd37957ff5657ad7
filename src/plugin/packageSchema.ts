// The component package's schema, made once at build time (scripts/build.js writes it to
// dist/plugin/schema.json): Pulumi's analyzer over the components' TypeScript Args (schemaAnalyzer.ts),
// with the names each SDK should see.
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { AuthType } from "../model/directorPair";
import { DnsQueryType, HealthCheckType } from "../model/healthCheck";
import { ForwardingMode, Protocol, Scheduler } from "../model/primitives";
import { SchedulerFlag } from "../model/virtualService";
import { COMPONENT_NAMES, PACKAGE_NAME } from "./names";
import { analyzeComponents } from "./schemaAnalyzer";

// Each enum's members in the order of its constant (the analyzer lists them in the order TypeScript first
// met each string, which another file can change).
const ENUMS: Record<string, Record<string, string>> = { AuthType, DnsQueryType, HealthCheckType, ForwardingMode, Protocol, Scheduler, SchedulerFlag };

// What a RealServer takes: in the module "host" of the schema, since Python's SDK cannot have them beside
// a type that refers to the RealServer resource (a realServers entry): its generated _inputs.py imports
// real_server.py, which imports _inputs.py back and would miss them (a circular import).
const HOST_TYPES = ["ConnectionArgs", "JumpHostArgs", "RealServerFirewallArgs", "FirewallPortArgs", "Protocol"];

interface Schema { types: Record<string, { enum?: { value: string }[] }>; [key: string]: unknown }

/** The schema of the components, read from the TypeScript that `pluginDir`'s tsconfig.json and index.ts reach. */
export function packageSchema(pluginDir: string, version: string, description: string): Record<string, unknown> {
    const { components, typeDefinitions, dependencies } = analyzeComponents(pluginDir, PACKAGE_NAME, { version, description }, COMPONENT_NAMES);
    const schema = generateSchema(PACKAGE_NAME, version, description, components, typeDefinitions, dependencies) as unknown as Schema;
    schema.language = { ...(schema.language as object), python: { packageName: "pulumi_lvs", respectSchemaVersion: true } };
    for (const [token, type] of Object.entries(schema.types)) {
        if (!type.enum) continue;
        const order = ENUMS[token.split(":")[2]!];
        if (!order) throw new Error(`${token}: an enum packageSchema.ts does not know; add its constant to ENUMS`);
        const values = Object.values(order);
        type.enum.sort((a, b) => values.indexOf(a.value) - values.indexOf(b.value));
    }
    return sdkTypeNames(schema);
}

/**
 * The SDKs' names of the types: the TypeScript names of nested input types end in "Args" (VrrpArgs), and
 * each SDK adds its own suffix, so the schema has Vrrp (Python and Go then get VrrpArgs, not VrrpArgsArgs).
 */
function sdkTypeNames(schema: Schema): Schema {
    const renamed = new Map(Object.keys(schema.types).map((token) => {
        const name = token.split(":")[2]!;
        return [token, `${PACKAGE_NAME}:${HOST_TYPES.includes(name) ? "host" : "index"}:${name.replace(/Args$/, "")}`];
    }));
    const targets = [...renamed.values()];
    const clash = targets.find((t, i) => targets.indexOf(t) !== i);
    if (clash) throw new Error(`two types of the schema would be named ${clash}`);
    const refs = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(refs);
        if (value === null || typeof value !== "object") return value;
        return Object.fromEntries(Object.entries(value).map(([k, v]) => {
            const target = k === "$ref" && typeof v === "string" && v.startsWith("#/types/") ? renamed.get(v.slice(8)) : undefined;
            return [k, target ? `#/types/${target}` : refs(v)];
        }));
    };
    const types = Object.fromEntries(Object.entries(schema.types).map(([token, type]) => [renamed.get(token)!, refs(type)]));
    return { ...(refs(schema) as Schema), types } as Schema;
}
