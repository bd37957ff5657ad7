// Managed sysctl.d files whose keys are claimed per resource (see scripts/sysctl.sh).
import { sysctlFile } from "../render/paths";
import { script } from "./scriptText";

export function sysctlApply(stem: string): string {
    return script("sysctl", { ACTION: "apply", FILE: sysctlFile(stem) });
}

export function sysctlDelete(stem: string): string {
    return script("sysctl", { ACTION: "delete", FILE: sysctlFile(stem) });
}
