// Inputs resolved for validation together with the paths of the secret ones: pulumi.output() would
// resolve them too, but only tell whether anything at all was secret.
import * as pulumi from "@pulumi/pulumi";
import type { Path } from "../model/secrets";

export interface Tracked {
    value: unknown;
    /** Where the values of secret Outputs were (a secret Output of an object makes all of it secret). */
    secrets: Path[];
}

/** Resolves every Output and Promise in `input`, noting which were secret. Still secret if any was. */
export function resolveTracked(input: unknown, at: Path = []): pulumi.Output<Tracked> {
    if (pulumi.Output.isInstance(input) || input instanceof Promise) {
        const out = pulumi.output(input as pulumi.Input<unknown>);
        return pulumi.all([out, pulumi.isSecret(out)]).apply(([value, secret]) => (secret ? tracked(value, [at]) : resolveTracked(value, at)));
    }
    if (Array.isArray(input) && containsOutputs(input)) {
        return pulumi.all(input.map((x, i) => resolveTracked(x, [...at, i]))).apply((items) => ({
            value: items.map((t) => t.value),
            secrets: items.flatMap((t) => t.secrets),
        }));
    }
    if (input !== null && typeof input === "object" && containsOutputs(input)) {
        const entries = Object.entries(input);
        return pulumi.all(entries.map(([k, x]) => resolveTracked(x, [...at, k]))).apply((items) => ({
            value: Object.fromEntries(items.map((t, i) => [entries[i]![0], t.value])),
            secrets: items.flatMap((t) => t.secrets),
        }));
    }
    return tracked(input, []);
}

function tracked(value: unknown, secrets: Path[]): pulumi.Output<Tracked> {
    return pulumi.output({ value, secrets }) as unknown as pulumi.Output<Tracked>;
}

/** True when any part of `value` is an Output or a Promise (so its value is not known yet). */
export function containsOutputs(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return true;
    if (Array.isArray(value)) return value.some(containsOutputs);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsOutputs);
    return false;
}
