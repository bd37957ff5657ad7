// The systemd unit of a RealServer (or of one director's VIPs) and what it puts on the host (see scripts/unit.sh).
import { UNIT_DIR } from "../render/paths";
import { script } from "./scriptText";

export interface UnitExpectations {
    /** "dev=addr/prefix" entries that must be present once the unit runs. */
    expect: ReadonlyArray<string>;
    /** The default route must go via this address (its previous routes are put back on delete). */
    routeVia?: string;
    /** A device the unit brings up (tunl0); it goes down again when the last user goes. */
    link?: string;
    /** A kernel module the unit loads (ipip); unloaded when the last user goes, if it was not loaded before. */
    module?: string;
    /** A file that must not belong to another stack (a director's keepalived.conf): that host is left alone. */
    guard?: string;
}

function values(action: "apply" | "delete", unit: string, e: UnitExpectations) {
    return { ACTION: action, UNIT: unit, UNIT_DIR, EXPECT: e.expect, ROUTE_VIA: e.routeVia ?? "", LINK: e.link ?? "", MODULE: e.module ?? "", GUARD: e.guard ?? "" };
}

export function unitApply(unit: string, e: UnitExpectations): string {
    return script("unit", values("apply", unit, e));
}

export function unitDelete(unit: string, e: UnitExpectations): string {
    return script("unit", values("delete", unit, e));
}
