// systemd units that pulumi-lvs installs on hosts (see scripts/unit-apply.sh).
import { STATE_DIR, UNIT_DIR } from "../render/paths";
import { script } from "./scriptText";

export interface UnitExpectations {
    /** "dev=addr/prefix" entries that must be present once the unit runs. */
    expect: ReadonlyArray<string>;
    /** The default route must go via this address (its previous routes are put back on delete). */
    routeVia?: string;
}

function values(unit: string, e: UnitExpectations) {
    return { UNIT: unit, UNIT_DIR, EXPECT: e.expect, ROUTE_VIA: e.routeVia ?? "", ROUTE_RECORD: `${STATE_DIR}/routes-${unit}.prior` };
}

export function unitApply(unit: string, e: UnitExpectations): string {
    return script("unit-apply", values(unit, e));
}

export function unitDelete(unit: string, e: UnitExpectations): string {
    return script("unit-delete", values(unit, e));
}
