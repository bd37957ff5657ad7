// Managed sysctl.d files whose delete restores every value recorded before we changed it.
import { STATE_DIR, sysctlFile } from "../render/paths";
import { script } from "./scriptText";

function values(stem: string) {
    return { FILE: sysctlFile(stem), RECORD: `${STATE_DIR}/sysctl-${stem}.prior` };
}

export function sysctlApply(stem: string): string {
    return script("sysctl-apply", values(stem));
}

export function sysctlDelete(stem: string): string {
    return script("sysctl-delete", values(stem));
}
