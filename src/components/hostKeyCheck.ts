// The pinned host key, checked once per host before any command runs on it. @pulumi/command's
// provider checks it too, but treats a mismatch like a network error: it retries every dial
// (dialErrorLimit, 10 by default) and then reports only "ssh: host key mismatch", without the host or
// the key it saw. A mismatch cannot heal, so this check fails at once and says what differs.
// Network errors are retried like the provider does, so a VM that is still booting is waited for.
import { createHash } from "crypto";
import type { Client, ConnectConfig } from "ssh2";
import type { Connection } from "../model/connection";

// Loaded on first use: most programs pin no host key and probe no drift, and loading ssh2 costs every run.
const newClient = (): Client => new (require("ssh2") as typeof import("ssh2")).Client();

type Hop = Omit<Connection, "proxy">;

export class HostKeyMismatch extends Error {}

const fingerprint = (blob: Buffer) => `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;

function pinned(hop: Hop): { type: string; blob: Buffer } {
    const [type, data] = hop.hostKey!.trim().split(/\s+/);
    return { type: type!, blob: Buffer.from(data!, "base64") };
}

export const endpoint = (hop: Hop) => `${hop.user}@${hop.host}:${hop.port}`;

/** One handshake up to the key exchange: resolves with the key the host presented (no login needed). */
function presentedKey(hop: Hop, via?: NodeJS.ReadableStream): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const client = newClient();
        let seen: Buffer | undefined;
        const done = (err?: Error) => {
            client.removeAllListeners();
            client.on("error", () => undefined);
            client.end();
            if (seen) resolve(seen);
            else reject(err ?? new Error("the connection closed before the host presented its key"));
        };
        client.on("error", done);
        client.on("close", () => done());
        client.on("ready", () => done());
        const config: ConnectConfig = {
            host: hop.host,
            port: hop.port,
            username: hop.user,
            readyTimeout: (hop.perDialTimeout ?? 15) * 1000,
            // Ask for the pinned key's type, as the provider does, so a host with several keys shows that one.
            algorithms: { serverHostKey: [pinned(hop).type as never] },
            hostVerifier: (key: Buffer) => {
                seen = Buffer.from(key);
                // Stop here: the key is all this check needs.
                setImmediate(() => done());
                return true;
            },
        };
        if (via) config.sock = via as never;
        client.connect(config);
    });
}

async function withRetries<T>(hop: Hop, what: string, attempt: () => Promise<T>): Promise<T> {
    const limit = hop.dialErrorLimit ?? 10;
    for (let n = 1; ; n++) {
        try {
            return await attempt();
        } catch (err) {
            if (err instanceof HostKeyMismatch) throw err;
            if (limit !== -1 && n >= limit) {
                throw new Error(`cannot check the host key of ${what}: no SSH handshake after ${n} attempt(s): ${(err as Error).message}`);
            }
            await new Promise((r) => setTimeout(r, Math.min(1000 * n, 5000)));
        }
    }
}

function compare(hop: Hop, what: string, key: Buffer): void {
    const want = pinned(hop);
    if (key.equals(want.blob)) return;
    throw new HostKeyMismatch(
        `the host key of ${what} does not match the pinned hostKey: the host presented ${want.type} ${fingerprint(key)}, ` +
        `the pinned key is ${want.type} ${fingerprint(want.blob)}. Nothing was run on it. ` +
        `If the host was rebuilt, pin its new key (ssh-keyscan -t ${want.type} -p ${hop.port} ${hop.host}); otherwise, find out who answers at that address.`,
    );
}

/** Checks every pinned host key on the way to the host (the jump host first). Throws a clear error. */
export async function checkPinnedHostKeys(c: Connection): Promise<void> {
    const { proxy, ...target } = c;
    if (!proxy) {
        if (!target.hostKey) return;
        const key = await withRetries(target, endpoint(target), () => presentedKey(target));
        compare(target, endpoint(target), key);
        return;
    }
    if (!proxy.hostKey && !target.hostKey) return;
    const what = `${endpoint(target)} (through the jump host ${endpoint(proxy)})`;
    const viaProxy = async (): Promise<Buffer | undefined> => {
        // The jump host's own key is checked before logging in to it; then the target is reached through it.
        const jump = await login(proxy, `the jump host ${endpoint(proxy)}`);
        try {
            if (!target.hostKey) return undefined;
            const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
                jump.forwardOut("127.0.0.1", 0, target.host, target.port, (err, s) => (err ? reject(err) : resolve(s))));
            return await presentedKey(target, stream);
        } finally {
            jump.end();
        }
    };
    const key = await withRetries(proxy, what, viaProxy);
    if (key) compare(target, what, key);
}

/**
 * Logs in to one hop (over `via`, a stream through the jump host, when given), checking its pinned key
 * first: a mismatch rejects with the HostKeyMismatch that says what differs, before any login.
 */
export function login(hop: Hop, what: string, via?: NodeJS.ReadableStream): Promise<Client> {
    const client = newClient();
    let mismatch: Error | undefined;
    return new Promise<Client>((resolve, reject) => {
        client.on("ready", () => resolve(client));
        client.on("error", (err) => { client.end(); reject(mismatch ?? err); });
        client.connect({
            host: hop.host, port: hop.port, username: hop.user, readyTimeout: (hop.perDialTimeout ?? 15) * 1000,
            privateKey: hop.privateKey, passphrase: hop.privateKeyPassword, password: hop.password, agent: hop.agentSocketPath,
            ...(via ? { sock: via as never } : {}),
            ...(hop.hostKey ? { algorithms: { serverHostKey: [pinned(hop).type as never] } } : {}),
            hostVerifier: (key: Buffer) => {
                if (!hop.hostKey) return true;
                try {
                    compare(hop, what, key);
                    return true;
                } catch (err) {
                    mismatch = err as Error;
                    return false;
                }
            },
        });
    });
}
