// The component package's schema, as Pulumi's analyzer infers it from the components' TypeScript Args
// (@pulumi/pulumi 3.248 provider/experimental), with three rules that analyzer lacks:
//  - a reference to one of this package's own components (VirtualService `directors`, a realServers entry's
//    `realServer`) is a reference to that resource of the package: the analyzer knows only @pulumi/* ones;
//  - a union of string and number (sysctl values) is a `oneOf` of the two (optional when undefined is in it);
//  - a component's outputs are its pulumi.Output members. Its plain members (name, directors, driftCheck,
//    firewall) echo inputs for TypeScript code, and hold what cannot cross to another language.
// The overridden methods are private in the analyzer's declarations, hence the typed view below.
import * as path from "path";
import type * as ts from "typescript";
import { Analyzer, InputOutput, type AnalyzeResult, type PropertyDefinition } from "@pulumi/pulumi/provider/experimental/analyzer";

interface Context { inputOutput: InputOutput; component: string; typeName?: string; property?: string }
interface AnalyzerView {
    checker: ts.TypeChecker;
    analyze(): AnalyzeResult;
    analyzeType(context: Context, type: ts.Type, location: ts.Node, optional?: boolean, docString?: string): PropertyDefinition;
    analyzeSymbols(context: Context, symbols: ts.Symbol[]): Record<string, PropertyDefinition>;
}
type AnalyzerClass = new (dir: string, name: string, packageJSON: Record<string, unknown>, componentNames: Set<string>) => AnalyzerView;

/**
 * The components of `dir` (its tsconfig.json and index.ts: plugin/) as Pulumi's analyzer sees them, with the
 * rules above. A component class counts as ours when it is declared under the package's src/ (beside `dir`).
 */
export function analyzeComponents(dir: string, packageName: string, packageJSON: Record<string, unknown>, componentNames: string[]): AnalyzeResult {
    const Base = Analyzer as unknown as AnalyzerClass;
    const sourceRoot = `${path.resolve(dir, "..", "src")}${path.sep}`;
    const own = new Set(componentNames);

    class PackageAnalyzer extends Base {
        override analyzeType(context: Context, type: ts.Type, location: ts.Node, optional = false, docString?: string): PropertyDefinition {
            const prop = (definition: PropertyDefinition): PropertyDefinition => ({
                ...definition,
                ...(optional ? { optional: true } : {}),
                ...(context.inputOutput === InputOutput.Neither ? { plain: true } : {}),
                ...(docString ? { description: docString } : {}),
            });
            const symbol = type.getSymbol();
            const ours = symbol?.declarations?.some((d) => d.getSourceFile().fileName.startsWith(sourceRoot)) ?? false;
            if (type.isClass() && symbol !== undefined && ours && own.has(symbol.getName())) return prop({ $ref: `#/resources/${packageName}:index:${symbol.getName()}` });
            if (type.isUnion()) {
                const named = type.types.map((t) => this.checker.typeToString(t));
                const plain = named.filter((n) => n !== "undefined");
                if (plain.length > 1 && plain.every((n) => n === "string" || n === "number")) {
                    optional ||= plain.length < named.length;
                    return prop({ oneOf: plain.map((t) => ({ type: t })) } as unknown as PropertyDefinition);
                }
            }
            return super.analyzeType(context, type, location, optional, docString);
        }

        override analyzeSymbols(context: Context, symbols: ts.Symbol[]): Record<string, PropertyDefinition> {
            const componentOutputs = context.inputOutput === InputOutput.Output && context.typeName === undefined;
            const kept = componentOutputs ? symbols.filter((s) => s.valueDeclaration !== undefined && isOutput(this.checker.getTypeOfSymbolAtLocation(s, s.valueDeclaration))) : symbols;
            return super.analyzeSymbols(context, kept);
        }
    }
    return new PackageAnalyzer(dir, packageName, packageJSON, own).analyze();
}

/** pulumi.Output<T>: OutputInstance<T>, or its intersection with Lifted<T>. */
function isOutput(type: ts.Type): boolean {
    if (type.isIntersection()) return type.types.some(isOutput);
    const name = (type.aliasSymbol ?? type.getSymbol())?.getName();
    return name === "Output" || name === "OutputInstance";
}
