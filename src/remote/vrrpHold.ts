// The secondary director held out of VRRP while the pair's VRRP identity changes (see scripts/vrrp-hold.sh).
import { KEEPALIVED_CONF } from "../render/paths";
import { script } from "./scriptText";

/** Before the secondary's files: stops keepalived there when the identity on stdin differs from its own. */
export function vrrpHold(vips: ReadonlyArray<string>): string {
    return script("vrrp-hold", { ACTION: "apply", VIPS: vips, KEEPALIVED_CONF });
}

/** The hold's delete: forgets a hold whose keepalived.conf never came. */
export const VRRP_HOLD_FORGET = script("vrrp-hold", { ACTION: "delete", VIPS: [], KEEPALIVED_CONF });

/**
 * After the primary's keepalived.conf: starts the held secondary and checks that it stays BACKUP. A backup
 * takes over after 3 adverts plus a skew below one advert: it is given one more, and a second.
 */
export function vrrpRelease(vips: ReadonlyArray<string>, advertInt: number): string {
    return script("vrrp-release", { VIPS: vips, HEAR_WAIT: 4 * advertInt + 1 });
}

/** On the primary: records whether its secondary is held, for the primary's failure messages. */
export function vrrpPeerNote(releaseStep: string): string {
    return script("vrrp-peer-note", { RELEASE_STEP: releaseStep });
}
