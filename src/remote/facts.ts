// Reads a director's facts (see scripts/facts.sh); optionally refuses an older keepalived.
import { KEEPALIVED_CONF } from "../render/paths";
import { script } from "./scriptText";

export function factsRead(minimum?: { version: string; reason: string }): string {
    return script("facts", { MIN_KEEPALIVED: minimum?.version ?? "", MIN_REASON: minimum?.reason ?? "", KEEPALIVED_CONF }, { claims: false });
}

/** Reading facts changes nothing, so there is nothing to undo. */
export const FACTS_DELETE = "true";
