// The director packages: installed when missing, removed on delete only if we installed them (see
// scripts/packages.sh).
import { script } from "./scriptText";

export const DIRECTOR_PACKAGES = ["ipvsadm", "keepalived"] as const;

export function packagesCreate(packages: ReadonlyArray<string>, modules: ReadonlyArray<string>): string {
    return script("packages", { ACTION: "apply", PACKAGES: packages, MODULES: modules });
}

export function packagesDelete(packages: ReadonlyArray<string>): string {
    return script("packages", { ACTION: "delete", PACKAGES: packages, MODULES: [] });
}
