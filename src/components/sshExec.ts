// Runs one command on a host with ssh2, in the program itself (the drift probe), through the jump host
// when there is one: the same hops, logins and pinned host keys as the host-key check (hostKeyCheck.ts).
// One attempt, bounded in time: a host that does not answer is reported, not waited for.
import type { Client } from "ssh2";
import type { Connection } from "../model/connection";
import { endpoint, login } from "./hostKeyCheck";

export interface ExecResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

function exec(client: Client, command: string, stdin: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
        client.exec(command, (err, channel) => {
            if (err) return reject(err);
            const out: Buffer[] = [];
            const errOut: Buffer[] = [];
            let code: number | null = null;
            channel.on("data", (d: Buffer) => out.push(d));
            channel.stderr.on("data", (d: Buffer) => errOut.push(d));
            channel.on("exit", (c: number | null) => { code = c; });
            channel.on("close", () => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errOut).toString("utf8") }));
            channel.end(stdin);
        });
    });
}

/** Runs `command` with `stdin` on the host; rejects when it cannot log in or takes longer than `timeoutMs`. */
export async function execOverSsh(c: Connection, command: string, stdin: string, timeoutMs: number): Promise<ExecResult> {
    const { proxy, ...target } = c;
    const clients: Client[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from ${endpoint(target)} within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const run = async () => {
        let via: NodeJS.ReadableStream | undefined;
        if (proxy) {
            const jump = await login(proxy, `the jump host ${endpoint(proxy)}`);
            clients.push(jump);
            via = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
                jump.forwardOut("127.0.0.1", 0, target.host, target.port, (err, s) => (err ? reject(err) : resolve(s))));
        }
        const client = await login(target, endpoint(target), via);
        clients.push(client);
        return exec(client, command, stdin);
    };
    try {
        return await Promise.race([run(), timeout]);
    } finally {
        clearTimeout(timer);
        for (const client of clients.reverse()) client.end();
    }
}
