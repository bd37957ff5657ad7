// Validation at the edge of the components: plain values are checked at construction, so a bad
// program fails before anything is registered; values that are Outputs are checked when they
// resolve, which still fails `pulumi preview` when they are known then.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LvsValidationError, type Problem } from "../model/errors";
import { safeName } from "../model/primitives";
import { Secrets } from "../model/secrets";
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
    // Each secret Output is remembered by its path, so its value is never printed, whatever its field.
    return resolveTracked(input).apply(({ value, secrets }) => {
        try {
            return validateAll(component, name, schema, value, new Secrets(secrets), cross);
        } catch (err) {
            // A RunError ends the program with just this message (a ResourceError raised inside an
            // apply would be reported through every layer of Outputs that depends on it).
            throw err instanceof LvsValidationError ? new pulumi.RunError(err.message) : err;
        }
    }) as pulumi.Output<z.output<S>>;
}

/** Component names become parts of file names, unit names and keepalived identifiers on the hosts. */
export const componentNameSchema = z.object({ name: safeName });
