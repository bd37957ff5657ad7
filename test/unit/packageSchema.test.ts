// The component package's schema (what `pulumi package add` generates the Python and Go SDKs from): every
// field of every Args interface is in it, with a type (never Any), and it is exactly the committed golden
// (scripts/build.js writes the same schema into dist/plugin/schema.json; package.test.ts compares the two).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { COMPONENT_NAMES } from "../../src/plugin/names";
import { packageSchema } from "../../src/plugin/packageSchema";
import { repoRoot } from "../helpers/pulumi-cli";
import { assertGolden } from "./golden";

const pluginDir = path.join(repoRoot, "plugin");

interface Property { type?: string; $ref?: string; items?: Property; additionalProperties?: Property; oneOf?: Property[] }
interface Schema {
    resources: Record<string, { inputProperties: Record<string, Property>; properties: Record<string, Property> }>;
    types: Record<string, { type: string; properties?: Record<string, Property>; enum?: { name: string; value: string }[] }>;
}

/**
 * Every interface the components' Args reach, with its property names, read from the TypeScript sources on
 * their own (the compiler API, not Pulumi's analyzer): what the schema must hold.
 */
function argsInterfaces(): Map<string, string[]> {
    const program = ts.createProgram([path.join(pluginDir, "index.ts")], { strict: true, types: [] });
    const checker = program.getTypeChecker();
    const found = new Map<string, string[]>();
    const ours = (s: ts.Symbol | undefined) => s?.declarations?.some((d) => d.getSourceFile().fileName.startsWith(path.join(repoRoot, "src"))) ?? false;
    const visit = (type: ts.Type): void => {
        if (type.isUnion() || type.isIntersection()) return type.types.forEach(visit);
        const symbol = type.getSymbol();
        if (symbol && symbol.flags & ts.SymbolFlags.Interface && ours(symbol)) {
            if (found.has(symbol.getName())) return;
            const props = checker.getPropertiesOfType(type);
            found.set(symbol.getName(), props.map((p) => p.getName()).sort());
            for (const p of props) visit(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration!));
            return;
        }
        for (const arg of checker.getTypeArguments(type as ts.TypeReference) ?? []) visit(arg);
        for (const arg of type.aliasTypeArguments ?? []) visit(arg);
        const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
        if (index) visit(index.type);
    };
    const entry = program.getSourceFile(path.join(pluginDir, "index.ts"))!;
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!)) {
        const component = checker.getAliasedSymbol(exported);
        const ctor = checker.getTypeOfSymbolAtLocation(component, entry).getConstructSignatures()[0]!;
        visit(checker.getTypeOfSymbolAtLocation(ctor.parameters[1]!, entry));
    }
    return found;
}

describe("the component package's schema", function () {
    this.timeout(60_000);
    let schema: Schema;
    before(() => {
        const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string; description: string };
        schema = packageSchema(pluginDir, manifest.version, manifest.description) as unknown as Schema;
    });

    it("has the four components, and every field of their Args and of each type they use, under the same name", () => {
        const interfaces = argsInterfaces();
        assert.ok(interfaces.size >= 20, `the Args reach ${interfaces.size} interfaces`);
        const typeNames = new Map(Object.keys(schema.types).map((t) => [t.split(":")[2]!, t]));
        for (const [name, props] of interfaces) {
            const component = COMPONENT_NAMES.find((c) => `${c}Args` === name);
            const inSchema = component
                ? schema.resources[`pulumi-lvs:index:${component}`]?.inputProperties
                : schema.types[typeNames.get(name.replace(/Args$/, ""))!]?.properties;
            assert.ok(inSchema, `${name} is in the schema`);
            assert.deepEqual(Object.keys(inSchema).sort(), props, `${name}: the schema has every field`);
        }
    });

    it("types every field: no Any, a named enum for each set of names, a resource reference for a component", () => {
        const text = JSON.stringify(schema);
        assert.doesNotMatch(text, /pulumi\.json#\/Any/);
        const untyped: string[] = [];
        const check = (where: string, p: Property) => {
            if (!p.type && !p.$ref && !p.oneOf) untyped.push(where);
            if (p.items) check(`${where}[]`, p.items);
            if (p.additionalProperties) check(`${where}{}`, p.additionalProperties);
        };
        for (const [token, r] of Object.entries(schema.resources)) for (const [k, p] of Object.entries({ ...r.inputProperties, ...r.properties })) check(`${token}.${k}`, p);
        for (const [token, t] of Object.entries(schema.types)) for (const [k, p] of Object.entries(t.properties ?? {})) check(`${token}.${k}`, p);
        assert.deepEqual(untyped, []);
        assert.deepEqual(schema.types["pulumi-lvs:index:Scheduler"]!.enum!.map((m) => m.value).slice(0, 4), ["rr", "wrr", "lc", "wlc"]);
        assert.equal(schema.resources["pulumi-lvs:index:VirtualService"]!.inputProperties.directors!.$ref, "#/resources/pulumi-lvs:index:LvsDirectorPair");
        assert.equal(schema.types["pulumi-lvs:index:RealServerEntry"]!.properties!.realServer!.$ref, "#/resources/pulumi-lvs:index:RealServer");
    });

    it("is the committed golden (a change to the public types shows in review)", () => {
        assertGolden("package-schema.json", `${JSON.stringify(schema, null, 2)}\n`);
    });
});
