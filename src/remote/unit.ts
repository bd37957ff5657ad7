// systemd units that pulumi-lvs installs on hosts (see scripts/unit-apply.sh).
import { UNIT_DIR } from "../render/paths";
import { script } from "./scriptText";

function values(unit: string, expectOnLo: ReadonlyArray<string>) {
    return { UNIT: unit, UNIT_DIR, EXPECT_LO: expectOnLo };
}

export function unitApply(unit: string, expectOnLo: ReadonlyArray<string>): string {
    return script("unit-apply", values(unit, expectOnLo));
}

export function unitDelete(unit: string, expectOnLo: ReadonlyArray<string>): string {
    return script("unit-delete", values(unit, expectOnLo));
}
