// The remote scripts live as real bash files in ./scripts; a script is its parameters (shell-quoted
// assignments), the shared prelude and claims library, then its body. Pure: same inputs, same text.
import * as fs from "fs";
import * as path from "path";
import { STATE_DIR } from "../render/paths";
import { params } from "./shell";

const cache = new Map<string, string>();

function body(name: string): string {
    let text = cache.get(name);
    if (text === undefined) {
        // Comment lines travel as empty lines: a third of the bytes, which each command keeps twice in the
        // stack's state (inputs and outputs) and every step writes back; line numbers stay the file's.
        text = fs.readFileSync(path.join(__dirname, "scripts", `${name}.sh`), "utf8").replace(/^[ \t]*#.*$/gm, "");
        cache.set(name, text);
    }
    return text;
}

export type ScriptName =
    | "packages"
    | "sysctl"
    | "keepalived-apply" | "keepalived-delete"
    | "keepalived-set-apply" | "keepalived-set-delete"
    | "vrrp-hold" | "vrrp-release" | "vrrp-peer-note"
    | "unit"
    | "fw"
    | "facts"
    | "drift-probe" | "drift-forget";

/** Function libraries a script's body uses, placed ahead of it. */
const LIBRARIES: Partial<Record<ScriptName, string[]>> = {
    "keepalived-apply": ["drift", "keepalived-check", "batch"],
    // The same libraries as keepalived-apply: a command's two scripts then share them on stdin (shell.ts).
    "keepalived-delete": ["drift", "keepalived-check", "batch"],
    "keepalived-set-apply": ["keepalived-check", "service-set"],
    "keepalived-set-delete": ["keepalived-check", "service-set"],
    "drift-probe": ["drift", "keepalived-check"],
    "drift-forget": ["drift"],
    "vrrp-hold": ["keepalived-check"],
    fw: ["firewalld"],
};

/**
 * `claims: false` for a script run outside pulumi-lvs (a boot-time loader), which has no owner.
 * `prelude: false` for a read-only script: the prelude creates the state folder and takes the lock.
 */
export function script(name: ScriptName, values: Record<string, string | number | ReadonlyArray<string>>, opts: { claims?: boolean; prelude?: boolean } = {}): string {
    // BODY_START lets a FAILED line name the line of the script file itself; LIB_START is where the
    // prelude and libraries begin (scriptParts, shell.ts).
    const prelude = opts.prelude === false ? "" : `${body("prelude")}\n`;
    const claims = opts.claims === false ? "" : `${body("claims")}\n`;
    const libraries = (LIBRARIES[name] ?? []).map((l) => `${body(l)}\n`).join("");
    const head = (libStart: number, bodyStart: number) => `${params({ STATE_DIR, SCRIPT: name, BODY_START: bodyStart, LIB_START: libStart, ...values })}\n`;
    const libStart = head(0, 0).split("\n").length;
    const lib = `${prelude}${claims}${libraries}`;
    const bodyStart = `${head(libStart, 0)}${lib}`.split("\n").length;
    return `${head(libStart, bodyStart)}${lib}${body(name)}`;
}
