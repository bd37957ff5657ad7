// Validation errors for humans: every problem at once, each as
// `<Component> "<name>": <dotted.path>: <value> <rule>`.
import type { z } from "zod";
import { ruleOfIssue, SECRET_MARK, Secrets, type Path } from "./secrets";
import type { Problem } from "./validationError";

export { SECRET_MARK } from "./secrets";
export { formatProblem, LvsValidationError, showValue, type Problem } from "./validationError";

/** `realServers[1].port` from ["realServers", 1, "port"]. */
export function dottedPath(path: Path): string {
    return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

export function valueAt(root: unknown, path: Path): unknown {
    let v: any = root;
    for (const key of path) {
        if (v === null || v === undefined) return undefined;
        v = v[key as any];
    }
    return v;
}

/**
 * Turns zod issues into problems, with the offending value read from the input. A value that `secrets`
 * holds is shown as [secret], and so is any secret value a rule shows.
 */
export function problemsFromZod(input: unknown, issues: ReadonlyArray<z.core.$ZodIssue>, secrets: Secrets = Secrets.NONE): Problem[] {
    return issues.map((issue) => {
        if (issue.code === "invalid_key") {
            // A bad key of a record: name the key itself, and the rule it breaks.
            const record = issue.path.slice(0, -1);
            const key = issue.path[issue.path.length - 1];
            const nested = issue.issues[0];
            const why = nested && OWN_RULE.test(nested.message) ? `: it ${nested.message}` : "";
            return { path: dottedPath(record), value: secrets.value(record, key), rule: `is not a valid key${why}` };
        }
        const value = valueAt(input, issue.path);
        const own = ruleOfIssue(issue);
        const hidden = secrets.has(issue.path) || (own?.params.reveals ?? []).some((p) => secrets.has([...own!.at, ...p]));
        const rule = own ? own.params.rule(secrets.at(own.at)) : ruleOf(issue, value);
        return { path: dottedPath(issue.path), value: hidden ? SECRET_MARK : value, rule };
    });
}

/** Messages this package writes are already rules ("must ...", "needs ..."); zod's own are reworded. */
const OWN_RULE = /^(must|is|needs|may|has|matches) /;

function ruleOf(issue: z.core.$ZodIssue, value: unknown): string {
    if (OWN_RULE.test(issue.message)) return issue.message;
    switch (issue.code) {
        case "invalid_type":
            return value === undefined ? "is required" : `must be ${article(issue.expected)}`;
        case "too_small":
            return issue.origin === "array" ? `must have at least ${issue.minimum} item(s)` : issue.origin === "string" ? `must be at least ${issue.minimum} character(s)` : `must be at least ${issue.minimum}`;
        case "too_big":
            return issue.origin === "array" ? `must have at most ${issue.maximum} item(s)` : issue.origin === "string" ? `must be at most ${issue.maximum} character(s)` : `must be at most ${issue.maximum}`;
        case "invalid_value":
            return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "unrecognized_keys":
            return `has unknown field(s) ${issue.keys.join(", ")}`;
        case "invalid_union":
            return "matches none of the allowed forms";
        default:
            return issue.message;
    }
}

function article(type: string): string {
    return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
