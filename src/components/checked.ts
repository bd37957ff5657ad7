// Validation at the edge of the components: plain values are checked at construction, so a bad
// program fails before anything is registered; values that are Outputs are checked when they
// resolve, which still fails `pulumi preview` when they are known then.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LvsValidationError, type Problem } from "../model/errors";
import { safeName } from "../model/primitives";
import { Secrets, type Path } from "../model/secrets";
import { validate } from "../model/validate";
import { containsOutputs, resolveTracked } from "./resolveTracked";

export { containsOutputs } from "./resolveTracked";

/**
 * Checks a valid model against things outside it (e.g. other components); returns the problems. A
 * problem shows a value only through `secrets` (`secrets.value`, `secrets.show`).
 */
export type CrossCheck<T> = (model: T, secrets: Secrets) => Problem[];

function validateAll<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, secrets: Secrets, cross?: CrossCheck<z.output<S>>): z.output<S> {
    const model = validate(component, name, schema, input, secrets);
    const problems = cross ? cross(model, secrets) : [];
    if (problems.length) throw new LvsValidationError(component, name, problems);
    return model;
}

export function checked<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, parent: pulumi.Resource, cross?: CrossCheck<z.output<S>>): pulumi.Output<z.output<S>> {
    if (!containsOutputs(input)) {
        try {
            return pulumi.output(validateAll(component, name, schema, input, Secrets.NONE, cross)) as pulumi.Output<z.output<S>>;
        } catch (err) {
            throw err instanceof LvsValidationError ? new pulumi.ResourceError(err.message, parent, true) : err;
        }
    }
    return checkedTracked(component, name, schema, input, parent, cross).apply((t) => t.model) as pulumi.Output<z.output<S>>;
}

/**
 * Like checked(), also giving where the secret values of `input` were, for messages written later about
 * the same input (none for a plain input).
 */
export function checkedTracked<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, parent: pulumi.Resource, cross?: CrossCheck<z.output<S>>): pulumi.Output<{ model: z.output<S>; secrets: Path[] }> {
    if (!containsOutputs(input)) return checked(component, name, schema, input, parent, cross).apply((model) => ({ model, secrets: [] as Path[] }));
    // Each secret Output is remembered by its path, so its value is never printed, whatever its field.
    return resolveTracked(input).apply(({ value, secrets }) => {
        try {
            return { model: validateAll(component, name, schema, value, new Secrets(secrets), cross), secrets };
        } catch (err) {
            throw err instanceof LvsValidationError ? inputError(err.message, parent) : err;
        }
    });
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

/** Component names become parts of file names, unit names and keepalived identifiers on the hosts. */
export const componentNameSchema = z.object({ name: safeName });
