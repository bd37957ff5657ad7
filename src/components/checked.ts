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
            throw err instanceof LvsValidationError ? inputError(err.message, parent) : err;
        }
    }) as pulumi.Output<z.output<S>>;
}

/**
 * The error for a bad input found inside an apply (an Output value, a check across components): reported
 * on the component, exactly as a bad plain value is. Two things of the Pulumi SDK are kept away from it:
 * - it prefixes the message of an error that fails a resource's input with `error serializing property
 *   "x": `, once per layer of Outputs the error passes (ten for a pair's commands): the message ignores that;
 * - it formats every uncaught error with util.inspect, which in Node 20 loops for about 40 s (until
 *   "Invalid string length") on a stack frame of a top-level file of @pulumi/pulumi, source-mapped to
 *   node_modules/@pulumi/<file>.ts: the stack is the message alone (it is hidden anyway).
 */
export function inputError(message: string, resource: pulumi.Resource): pulumi.ResourceError {
    const err = new pulumi.ResourceError(message, resource, true);
    Object.defineProperty(err, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
    err.stack = message;
    return err;
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
