// @ts-check
// Property values cross the provider protocol with secrets wrapped in a signature object.
// Commands need the plain values; the state we hand back keeps the wrappers so secrets stay secret.
"use strict";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecret(v) {
    return v !== null && typeof v === "object" && v[SIG_KEY] === SECRET_SIG;
}

/** Deep copy with every secret wrapper replaced by its value. */
function reveal(v) {
    if (isSecret(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object") {
        const out = {};
        for (const [k, x] of Object.entries(v)) out[k] = reveal(x);
        return out;
    }
    return v;
}

/** True when any part of v is secret. */
function containsSecret(v) {
    if (isSecret(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (v !== null && typeof v === "object") return Object.values(v).some(containsSecret);
    return false;
}

module.exports = { reveal, containsSecret };
