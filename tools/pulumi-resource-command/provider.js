#!/usr/bin/env node
// @ts-check
// A resource provider for `command:remote:Command` and `command:local:Command`, compatible with the
// @pulumi/command 1.2.1 SDK. It stands in for the official Go plugin only where that plugin cannot be
// built: the Go module proxy these machines reach does not serve github.com/pulumi/pulumi-command/provider.
//
// Semantics follow the official provider (provider/pkg/provider/{local,remote}):
// - create runs `create`; update runs `update`, or `create` when there is no `update`; delete runs `delete`;
// - stdout/stderr become outputs (one trailing newline trimmed), and with addPreviousOutputInEnv
//   (default true) the previous ones are passed as PULUMI_COMMAND_STDOUT / PULUMI_COMMAND_STDERR;
// - any input change is an update; a change of `triggers` is a replacement;
// - output is streamed under the resource according to `logging` (default stdoutAndStderr).
"use strict";

const crypto = require("crypto");
const providerSdk = require("@pulumi/pulumi/provider");
const { reveal } = require("./secrets");
const { engineLogger } = require("./engine-log");
const ssh = require("./ssh");
const local = require("./local");

const VERSION = "1.2.1";
const OUTPUT_KEYS = new Set(["stdout", "stderr"]);
const REMOTE = "command:remote:Command";
const LOCAL = "command:local:Command";

const engineAddress = process.argv.slice(2).find((a) => !a.startsWith("-"));
const log = engineLogger(engineAddress);

function typeOf(urn) {
    const qualified = urn.split("::")[2] || "";
    return qualified.split("$").pop();
}

function nameOf(urn) {
    return urn.split("::")[3] || "command";
}

/** The inputs part of a state (everything but the outputs the provider computes). */
function inputsOf(state) {
    const out = {};
    for (const [k, v] of Object.entries(state || {})) if (!OUTPUT_KEYS.has(k)) out[k] = v;
    return out;
}

function stable(v) {
    return JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
        : x));
}

function withoutUndefined(obj) {
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** Runs one of the resource's commands with the environment the official provider gives it. */
async function runCommand(urn, inputs, command, previous) {
    const plain = reveal(inputs);
    const env = { ...(plain.environment || {}) };
    if (previous && plain.addPreviousOutputInEnv !== false) {
        const prior = reveal(previous);
        if (prior.stdout) env.PULUMI_COMMAND_STDOUT = prior.stdout;
        if (prior.stderr) env.PULUMI_COMMAND_STDERR = prior.stderr;
    }
    const logging = plain.logging || "stdoutAndStderr";
    const show = { out: logging === "stdout" || logging === "stdoutAndStderr", err: logging === "stderr" || logging === "stdoutAndStderr" };
    const pending = [];
    const onLine = (which, line) => show[which] && pending.push(log(urn, line));
    const opts = { env, stdin: plain.stdin, onLine };
    try {
        return typeOf(urn) === REMOTE ? await ssh.run(plain.connection, command, opts) : await local.run(plain, command, opts);
    } finally {
        await Promise.all(pending);
    }
}

const provider = {
    version: VERSION,

    async check(urn, olds, news) {
        const failures = [];
        const type = typeOf(urn);
        if (type !== REMOTE && type !== LOCAL) failures.push({ property: "", reason: `unknown resource type ${type}` });
        if (type === REMOTE && !(news.connection && (news.connection.host || (news.connection.value && news.connection.value.host)))) {
            failures.push({ property: "connection.host", reason: "connection.host is required" });
        }
        return { inputs: news, failures };
    },

    async diff(id, urn, olds, news) {
        const before = inputsOf(olds);
        const keys = new Set([...Object.keys(before), ...Object.keys(news)]);
        const changed = [...keys].filter((k) => stable(reveal(before[k])) !== stable(reveal(news[k])));
        return { changes: changed.length > 0, replaces: changed.includes("triggers") ? ["triggers"] : [] };
    },

    async create(urn, inputs) {
        const id = `${nameOf(urn)}${crypto.randomBytes(4).toString("hex")}`;
        const create = reveal(inputs.create);
        const result = create ? await runCommand(urn, inputs, create, undefined) : { stdout: "", stderr: "" };
        return { id, outs: withoutUndefined({ ...inputs, ...result }) };
    },

    async read(id, urn, props) {
        return { id, props, inputs: inputsOf(props) };
    },

    async update(id, urn, olds, news) {
        const command = reveal(news.update) || reveal(news.create);
        const previous = { stdout: olds.stdout, stderr: olds.stderr };
        const result = command ? await runCommand(urn, news, command, previous) : previous;
        return { outs: withoutUndefined({ ...news, ...result }) };
    },

    async delete(id, urn, props) {
        const command = reveal(props.delete);
        if (command) await runCommand(urn, props, command, { stdout: props.stdout, stderr: props.stderr });
    },
};

providerSdk.main(provider, process.argv.slice(2));
