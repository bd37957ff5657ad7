// @ts-check
// SSH for remote:Command with the official provider's connection semantics: port 22 and user root
// by default, up to dialErrorLimit dial attempts (default 10, -1 = no limit) of perDialTimeout
// seconds each (default 15), an optional pinned hostKey, an optional jump host (proxy), and
// environment variables sent as SSH env requests (the server must AcceptEnv them).
"use strict";

const { Client } = require("ssh2");
const { collector } = require("./output");

const DEFAULTS = { port: 22, user: "root", dialErrorLimit: 10, perDialTimeout: 15 };

/** @param {any} c a connection input with secrets already revealed */
function clientConfig(c) {
    const cfg = {
        host: c.host,
        port: c.port ?? DEFAULTS.port,
        username: c.user ?? DEFAULTS.user,
        readyTimeout: (c.perDialTimeout ?? DEFAULTS.perDialTimeout) * 1000,
        keepaliveInterval: 10_000,
    };
    if (c.privateKey) cfg.privateKey = c.privateKey;
    if (c.privateKeyPassword) cfg.passphrase = c.privateKeyPassword;
    if (c.password) cfg.password = c.password;
    if (c.agentSocketPath) cfg.agent = c.agentSocketPath;
    if (c.hostKey) {
        const want = String(c.hostKey).trim().split(/\s+/);
        const wantBlob = want.length > 1 ? want[1] : want[0];
        cfg.hostVerifier = (key) => Buffer.from(key).toString("base64") === wantBlob;
    }
    return cfg;
}

function connectOnce(cfg, sock) {
    return new Promise((resolve, reject) => {
        const client = new Client();
        client.once("ready", () => resolve(client));
        client.once("error", (err) => {
            client.end();
            reject(err);
        });
        client.connect(sock ? { ...cfg, sock } : cfg);
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Dial with retries; the error names the host and the number of attempts. */
async function dial(cfg, limit, sock) {
    const attempts = limit === -1 ? Infinity : Math.max(1, limit);
    const where = `${cfg.username}@${cfg.host}:${cfg.port}`;
    let last;
    let tried = 0;
    for (let i = 1; i <= attempts; i++) {
        tried = i;
        try {
            return await connectOnce(cfg, sock);
        } catch (err) {
            last = err;
            // A wrong key is not going to get better by retrying.
            if (/verification failed/i.test(String(err && err.message)) && cfg.hostVerifier) {
                throw new Error(`Dial failed: the host key of ${where} does not match the pinned hostKey (possible man-in-the-middle, or the host was rebuilt); nothing was run there`);
            }
            if (/authentication/i.test(String(err && err.message))) break;
            if (i < attempts) await sleep(Math.min(1000 * i, 5000));
        }
    }
    throw new Error(`Dial failed: could not connect to ${where} after ${tried} attempt(s) of up to ${cfg.readyTimeout / 1000} s: ${last && last.message}`);
}

/** Opens the SSH connection, through the proxy when one is given. Returns { client, close }. */
async function connect(conn) {
    if (!conn.proxy) {
        const client = await dial(clientConfig(conn), conn.dialErrorLimit ?? DEFAULTS.dialErrorLimit);
        return { client, close: () => client.end() };
    }
    const proxy = await dial(clientConfig(conn.proxy), conn.proxy.dialErrorLimit ?? DEFAULTS.dialErrorLimit);
    const target = clientConfig(conn);
    const stream = await new Promise((resolve, reject) =>
        proxy.forwardOut("127.0.0.1", 0, target.host, target.port, (err, s) => (err ? reject(err) : resolve(s))));
    const client = await dial(target, conn.dialErrorLimit ?? DEFAULTS.dialErrorLimit, stream);
    return { client, close: () => { client.end(); proxy.end(); } };
}

/**
 * Runs `command` on the host. stdin (if any) is written then closed. Each output line is passed
 * to onLine. Resolves { stdout, stderr } with one trailing newline trimmed, like the official
 * provider; rejects with the exit status and the combined output when the command fails.
 */
async function run(conn, command, { env, stdin, onLine }) {
    const { client, close } = await connect(conn);
    try {
        return await new Promise((resolve, reject) => {
            client.exec(command, { env }, (err, stream) => {
                if (err) return reject(err);
                const output = collector(onLine);
                stream.on("data", output.out);
                stream.stderr.on("data", output.err);
                stream.on("close", (code, signal) => {
                    if (code === 0) return resolve(output.result());
                    const status = code !== null && code !== undefined ? `exited with status ${code}`
                        : signal ? `was killed by signal ${signal}`
                            : "ended without an exit status (the SSH session closed before it finished)";
                    reject(new Error(`Process ${status}: running ${describe(command)} on ${conn.host}:${conn.port ?? 22}:\n${output.combined()}`));
                });
                stream.end(stdin && stdin.length ? stdin : undefined);
            });
        });
    } finally {
        close();
    }
}

/** The first line of a command, enough to recognise it in an error without dumping a whole script. */
function describe(command) {
    const first = String(command).split("\n").find((l) => l.trim()) || "";
    return JSON.stringify(first.length > 120 ? `${first.slice(0, 120)}...` : first);
}

module.exports = { run, describe };
