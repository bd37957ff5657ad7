#!/usr/bin/env node
// A stand-in for `keepalived -t -f FILE` in the script tests (test/unit/keepalivedPair.test.ts), for
// machines without keepalived. It checks what the pair's two files depend on, as keepalived does (read in
// keepalived 2.2.7 and 2.4.3, both run against the same inputs):
//   - `include` (a glob; a missing plain file is an error) and `$NAME=value` definitions, expanded in the
//     lines that follow them;
//   - unknown top-level keywords;
//   - authentication: auth_type PASS or AH, auth_pass longer than 8 characters ("Truncating auth_pass");
//   - auth_hmac (2.4 and later, else an unknown keyword): `key <id> <value>` of 32-64 characters, an
//     active_key that names a key, and not together with authentication.
// Errors go to stderr as "(FILE: Line N) message"; any error exits 5, as keepalived -t does.
// FAKE_KEEPALIVED_VERSION (default 2.4.3) says which keepalived it stands for.
"use strict";
const fs = require("fs");
const path = require("path");

const args = process.argv.slice(2);
if (args[0] === "--version") {
    process.stderr.write(`Keepalived v${process.env.FAKE_KEEPALIVED_VERSION || "2.4.3"} (fake)\n`);
    process.exit(0);
}
const fileIndex = args.indexOf("-f");
if (!args.includes("-t") || fileIndex < 0) process.exit(0);

const [major, minor] = (process.env.FAKE_KEEPALIVED_VERSION || "2.4.3").split(".").map(Number);
const hasHmac = major > 2 || (major === 2 && minor >= 4);
const TOP = new Set(["include", "global_defs", "vrrp_script", "vrrp_sync_group", "vrrp_instance", "virtual_server", "virtual_server_group", "static_ipaddress", "static_routes", "static_rules", "garp_group", "track_file"]);
const defs = new Map();
const errors = [];
const stack = []; // open blocks: { keyword, line }
let instance; // the vrrp_instance being read: { name, auth, hmac: Map, active }

function error(file, line, message) {
    errors.push(`(${file}: Line ${line}) ${message}`);
}

function expand(text) {
    return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name) => (defs.has(name) ? defs.get(name) : m));
}

function files(pattern) {
    if (!pattern.includes("*")) return fs.existsSync(pattern) ? [pattern] : undefined;
    const dir = path.dirname(pattern);
    const re = new RegExp(`^${path.basename(pattern).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : [];
}

function endInstance(file, line) {
    if (instance.hmac) {
        if (instance.auth) error(file, line, `(${instance.name}) auth_hmac cannot be combined with authentication, dropping legacy auth`);
        if (!instance.hmac.has(instance.active)) error(file, line, `(${instance.name}) auth_hmac active_key ${instance.active ?? 0} is not defined, disabling extension`);
    }
    instance = undefined;
}

function read(file) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((raw, i) => {
        const n = i + 1;
        const def = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
        if (def) {
            defs.set(def[1], def[2]);
            return;
        }
        const words = expand(raw.replace(/(^|\s)[#!].*$/, "")).trim().split(/\s+/).filter(Boolean);
        for (let w = 0; w < words.length; w++) {
            const word = words[w];
            if (word === "}") {
                const closed = stack.pop();
                if (closed?.keyword === "vrrp_instance") endInstance(file, n);
                continue;
            }
            if (word === "{") continue;
            const rest = words.slice(w + 1).filter((x) => x !== "{");
            const opens = words.slice(w + 1).includes("{");
            const parent = stack[stack.length - 1]?.keyword;
            if (stack.length === 0) {
                if (word === "include") {
                    const found = files(rest[0] ?? "");
                    if (found === undefined) error(file, n, `Config files missing '${rest[0]}'.`);
                    else found.forEach(read);
                } else if (!TOP.has(word)) {
                    error(file, n, `Unknown keyword '${word}'`);
                } else if (word === "vrrp_instance") {
                    instance = { name: rest[0], auth: false, hmac: undefined, active: undefined };
                }
            } else if (parent === "vrrp_instance" && word === "authentication") {
                instance.auth = true;
            } else if (parent === "vrrp_instance" && word === "auth_hmac") {
                if (hasHmac) instance.hmac = new Map();
                else error(file, n, `Unknown keyword '${word}'`);
            } else if (parent === "authentication" && word === "auth_type" && !["PASS", "AH"].includes(rest[0])) {
                error(file, n, `(${instance.name}) unknown authentication type '${rest[0]}'`);
            } else if (parent === "authentication" && word === "auth_pass" && (rest[0] ?? "").length > 8) {
                error(file, n, "Truncating auth_pass to 8 characters");
            } else if (parent === "auth_hmac" && instance.hmac && word === "key") {
                const len = (rest[1] ?? "").length;
                if (len < 32 || len > 64) error(file, n, `(${instance.name}) auth_hmac key ${rest[0]} length ${len} not in range [32, 64]`);
                else instance.hmac.set(Number(rest[0]), rest[1]);
            } else if (parent === "auth_hmac" && instance.hmac && word === "active_key") {
                instance.active = Number(rest[0]);
            }
            if (opens) stack.push({ keyword: word, line: n });
            break; // one keyword per line; its "{" (if any) was handled above
        }
        // A line "}" after a keyword line, or several "}" on one line, are handled word by word above;
        // a keyword line that also closes ("key {" ... "}") does not occur in the pair's files.
    });
}

read(args[fileIndex + 1]);
if (stack.length) errors.push(`There are ${stack.length} missing '}'s or extra '{'s`);
if (errors.length) {
    process.stderr.write(`${errors.join("\n")}\n`);
    process.exit(5);
}
