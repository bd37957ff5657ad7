// The error a component throws for invalid inputs, and how one problem reads. Apart from errors.ts (which
// reads zod's issues) so that the package's declarations do not reach zod's.
import { SECRET_FIELD, SECRET_MARK } from "./secrets";

/** One invalid input of a component. */
export interface Problem {
    /** Where in the arguments: "vrrp.virtualRouterId", "realServers[0].port"; "" for the arguments as a whole. */
    path: string;
    /** The value given; a secret value is replaced by a marker, so it never reaches a message. */
    value: unknown;
    /** The rule it breaks, as the end of a sentence, e.g. "must be a whole number". */
    rule: string;
}

export class LvsValidationError extends Error {
    constructor(
        readonly component: string,
        readonly resourceName: string,
        readonly problems: Problem[],
    ) {
        super(problems.map((p) => formatProblem(component, resourceName, p)).join("\n"));
        this.name = "LvsValidationError";
    }
}

export function formatProblem(component: string, name: string, p: Problem): string {
    const where = p.path ? `${p.path}: ` : "";
    return `${component} "${name}": ${where}${showValue(p.value)} ${p.rule}`;
}

export function showValue(v: unknown): string {
    if (v === undefined) return "(missing)";
    if (v === SECRET_MARK) return "[secret]";
    if (typeof v === "string") return JSON.stringify(v);
    try {
        const text = JSON.stringify(v, (key, x) => (SECRET_FIELD.test(key) && x !== undefined ? "[secret]" : x));
        return text.length > 80 ? `${text.slice(0, 77)}...` : text;
    } catch {
        return String(v);
    }
}
