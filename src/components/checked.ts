// Validation at the edge of the components: plain values are checked at construction, so a bad
// program fails before anything is registered; values that are Outputs are checked when they
// resolve, which still fails `pulumi preview` when they are known then.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LvsValidationError, type Problem } from "../model/errors";
import { safeName } from "../model/primitives";
import { validate } from "../model/validate";

/** Checks a valid model against things outside it (e.g. other components); returns the problems. */
export type CrossCheck<T> = (model: T) => Problem[];

function validateAll<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, cross?: CrossCheck<z.output<S>>): z.output<S> {
    const model = validate(component, name, schema, input);
    const problems = cross ? cross(model) : [];
    if (problems.length) throw new LvsValidationError(component, name, problems);
    return model;
}

export function checked<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, parent: pulumi.Resource, cross?: CrossCheck<z.output<S>>): pulumi.Output<z.output<S>> {
    if (!containsOutputs(input)) {
        try {
            return pulumi.output(validateAll(component, name, schema, input, cross)) as pulumi.Output<z.output<S>>;
        } catch (err) {
            throw err instanceof LvsValidationError ? new pulumi.ResourceError(err.message, parent, true) : err;
        }
    }
    const resolved = pulumi.output(input as pulumi.Input<object>) as pulumi.Output<unknown>;
    return resolved.apply((value) => {
        try {
            return validateAll(component, name, schema, value, cross);
        } catch (err) {
            // A RunError ends the program with just this message (a ResourceError raised inside an
            // apply would be reported through every layer of Outputs that depends on it).
            throw err instanceof LvsValidationError ? new pulumi.RunError(err.message) : err;
        }
    }) as pulumi.Output<z.output<S>>;
}

/** True when any part of `value` is an Output or a Promise (so its value is not known yet). */
export function containsOutputs(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return true;
    if (Array.isArray(value)) return value.some(containsOutputs);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsOutputs);
    return false;
}

/** Component names become parts of file names, unit names and keepalived identifiers on the hosts. */
export const componentNameSchema = z.object({ name: safeName });
