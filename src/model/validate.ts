import type { z } from "zod";
import { LvsValidationError, problemsFromZod } from "./errors";
import { Secrets } from "./secrets";

/** Parses `input` with `schema`, or throws one error listing every problem found (secret values masked). */
export function validate<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown, secrets: Secrets = Secrets.NONE): z.output<S> {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    throw new LvsValidationError(component, name, problemsFromZod(input, result.error.issues, secrets));
}
