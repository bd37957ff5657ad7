// Which input values are secret, so that no message shows one: values of secret Outputs (by path, as
// they arrived) and fields with secret names. A rule that shows other fields' values shows them
// through `Secrets.show`, so the same rule prints [secret] where one of them is secret.
import type { z } from "zod";

export type Path = ReadonlyArray<PropertyKey>;

/** Shown in place of a secret value. */
export const SECRET_MARK = Symbol("secret");

/** Fields whose values are never shown, even when they arrive as plain values. */
export const SECRET_FIELD = /^(privateKey|privateKeyPassword|password|authPass|authHmacKey)$/;

export class Secrets {
    /** No value was secret (plain input); secret field names still are. */
    static readonly NONE = new Secrets([]);

    constructor(private readonly paths: ReadonlyArray<Path>) {}

    /** True when the value at `path` is secret, holds a secret or lies inside one (or has a secret field name). */
    has(path: Path): boolean {
        const last = path[path.length - 1];
        if (typeof last === "string" && SECRET_FIELD.test(last)) return true;
        return this.paths.some((s) => startsWith(s, path) || startsWith(path, s));
    }

    /** `value` (the value at `path`) for a message: itself, or SECRET_MARK. */
    value(path: Path, value: unknown): unknown {
        return this.has(path) ? SECRET_MARK : value;
    }

    /** Another field's value inside a rule's text: the value, or [secret] when any of `paths` is secret. */
    show(paths: Path | Path[], value: unknown): string {
        const list = (paths.length > 0 && Array.isArray(paths[0]) ? paths : [paths]) as Path[];
        return list.some((p) => this.has(p)) ? "[secret]" : String(value);
    }

    /** The same secrets seen from `prefix` (the paths of a nested schema's own fields). */
    at(prefix: Path): Secrets {
        return new Secrets(this.paths.flatMap((s) => (startsWith(s, prefix) ? [s.slice(prefix.length)] : startsWith(prefix, s) ? [[]] : [])));
    }
}

function startsWith(path: Path, prefix: Path): boolean {
    return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));
}

/** A rule's text, given which values are secret (paths relative to the schema that states the rule). */
export type RuleText = (secrets: Secrets) => string;

/**
 * Adds a custom issue at `path` (relative to the refined value). A rule that shows other fields' values
 * is a function of the secrets: the message is its text without secrets, and the problem is written
 * again with the real ones when it is reported. `reveals`: fields the offending value gives away (it
 * equals them, e.g. a duplicate), so the value is masked when one of them is secret.
 */
export function addRule(ctx: z.RefinementCtx, path: Array<string | number>, rule: string | RuleText, reveals: Path[] = []): void {
    const text: RuleText = typeof rule === "string" ? () => rule : rule;
    const params: RuleParams = { rule: text, reveals, depth: path.length };
    ctx.addIssue({ code: "custom", path, message: text(Secrets.NONE), params });
}

/** What addRule leaves on an issue. */
export interface RuleParams {
    rule: RuleText;
    reveals: Path[];
    /** How many of the issue's path keys addRule was given: the rest is the refined value's own path. */
    depth: number;
}

/** The rule of an issue added by addRule, with its paths made absolute; undefined for other issues. */
export function ruleOfIssue(issue: z.core.$ZodIssue): { at: Path; params: RuleParams } | undefined {
    const params = issue.code === "custom" ? (issue.params as RuleParams | undefined) : undefined;
    if (!params || typeof params.rule !== "function") return undefined;
    return { at: issue.path.slice(0, issue.path.length - params.depth), params };
}
