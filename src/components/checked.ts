// Validation at the edge of the components: plain values are checked at construction, so a bad
// program fails before anything is registered; values that are Outputs are checked when they
// resolve, which still fails `pulumi preview` when they are known then.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LvsValidationError } from "../model/errors";
import { safeName } from "../model/primitives";
import { validate } from "../model/validate";

export function checked<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, parent: pulumi.Resource): pulumi.Output<z.output<S>> {
    if (!containsOutputs(input)) {
        return pulumi.output(validateOrThrow(component, name, schema, input, parent)) as pulumi.Output<z.output<S>>;
    }
    const resolved = pulumi.output(input as pulumi.Input<object>) as pulumi.Output<unknown>;
    return resolved.apply((value) => validateOrThrow(component, name, schema, value, parent)) as pulumi.Output<z.output<S>>;
}

function validateOrThrow<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, parent: pulumi.Resource): z.output<S> {
    try {
        return validate(component, name, schema, input);
    } catch (err) {
        if (err instanceof LvsValidationError) throw new pulumi.ResourceError(err.message, parent);
        throw err;
    }
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
