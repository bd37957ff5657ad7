// The remote scripts live as real bash files in ./scripts; a script is its parameters (shell-quoted
// assignments), the shared prelude, then its body. Pure: same inputs, same text.
import * as fs from "fs";
import * as path from "path";
import { STATE_DIR } from "../render/paths";
import { params } from "./shell";

const cache = new Map<string, string>();

function body(name: string): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = fs.readFileSync(path.join(__dirname, "scripts", `${name}.sh`), "utf8");
        cache.set(name, text);
    }
    return text;
}

export type ScriptName =
    | "packages-create" | "packages-delete"
    | "sysctl-apply" | "sysctl-delete"
    | "keepalived-apply" | "keepalived-delete"
    | "unit-apply" | "unit-delete"
    | "fw"
    | "facts";

export function script(name: ScriptName, values: Record<string, string | number | ReadonlyArray<string>>): string {
    return `${params({ STATE_DIR, ...values })}\n${body("prelude")}\n${body(name)}`;
}
