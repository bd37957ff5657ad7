// The component package's schema, as Pulumi's analyzer infers it from the components' TypeScript Args
// (@pulumi/pulumi 3.248 provider/experimental), with three rules that analyzer lacks:
//  - a reference to one of this package's own components (VirtualService `directors`, a realServers entry's
//    `realServer`) is a reference to that resource of the package: the analyzer knows only @pulumi/* ones;
//  - a union of string and number (sysctl values) is a `oneOf` of the two;
//  - a component's outputs are its pulumi.Output members. Its plain members (name, directors, driftCheck,
//    firewall) echo inputs for TypeScript code, and hold what cannot cross to another language.
// The overridden methods are private in the analyzer's declarations, hence the typed view below.
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

export function analyzeComponents(dir: string, packageName: string, packageJSON: Record<string, unknown>, componentNames: string[]): AnalyzeResult {
    const Base = Analyzer as unknown as AnalyzerClass;
    const own = new Set(componentNames);

    class PackageAnalyzer extends Base {
        override analyzeType(context: Context, type: ts.Type, location: ts.Node, optional = false, docString?: string): PropertyDefinition {
            const prop = (definition: PropertyDefinition): PropertyDefinition => ({
                ...definition,
                ...(optional ? { optional: true } : {}),
                ...(context.inputOutput === InputOutput.Neither ? { plain: true } : {}),
                ...(docString ? { description: docString } : {}),
            });
            const name = type.getSymbol()?.getName();
            if (type.isClass() && name !== undefined && own.has(name)) return prop({ $ref: `#/resources/${packageName}:index:${name}` });
            if (type.isUnion() && type.types.every((t) => ["string", "number"].includes(this.checker.typeToString(t)))) {
                return prop({ oneOf: type.types.map((t) => ({ type: this.checker.typeToString(t) })) } as unknown as PropertyDefinition);
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
