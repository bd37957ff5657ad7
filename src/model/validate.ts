import type { z } from "zod";
import { LvsValidationError, problemsFromZod } from "./errors";

/** Parses `input` with `schema`, or throws one error listing every problem found. */
export function validate<S extends z.ZodType>(component: string, name: string, schema: S, input: unknown): z.output<S> {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    throw new LvsValidationError(component, name, problemsFromZod(input, result.error.issues));
}
