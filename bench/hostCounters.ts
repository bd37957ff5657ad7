// What a task cost on each host, read from the host's own journal between two marks: SSH connections
// (sshd's "Accepted publickey"), remote commands (sshd's "Starting session", logged at LogLevel VERBOSE,
// which the bench turns on for its run) and keepalived reloads and starts (systemd's "Reloaded"/"Started"
// lines of keepalived.service).
// A mark is a line the bench logs on the host (logger), through the same syslog socket as sshd, so the
// journal keeps sshd's lines and the marks in the order they happened, however late journald stamps
// them on a busy host. Each mark names the bench's own SSH connection (its client port, from
// $SSH_CONNECTION): sessions on it are the bench's, not the task's, and are not counted.
import { randomBytes } from "crypto";
import { onHost, sh } from "../lab/helpers";

export interface HostCost {
    connections: number;
    commands: number;
    reloads: number;
    starts: number;
}

const SSHD_DROPIN = "/etc/ssh/sshd_config.d/zz-pulumi-lvs-bench.conf";
const TAG = "pulumi-lvs-bench";

/** sshd logs each session until restoreSshdLogging(). */
export function verboseSshd(hosts: string[]): void {
    for (const h of hosts) sh(h, `printf 'LogLevel VERBOSE\\n' > ${SSHD_DROPIN} && systemctl reload ssh`);
}

export function restoreSshdLogging(hosts: string[]): void {
    for (const h of hosts) onHost(h, `rm -f ${SSHD_DROPIN} && systemctl reload ssh`);
}

/** Logs "<text> port <the bench's client port>". */
const logMark = (text: string) => `set -- $SSH_CONNECTION; logger -t ${TAG} "${text} port $2"`;

export interface Marks { readonly id: string; readonly since: Record<string, string> }

/** Logs the opening mark on each host; returns the host clocks to read their journals from. */
export function startMarks(hosts: string[]): Marks {
    const id = randomBytes(6).toString("hex");
    return { id, since: Object.fromEntries(hosts.map((h) => [h, sh(h, `date +%s; ${logMark(`begin ${id}`)}`).trim()])) };
}

/** The cost on each host since `marks`. */
export function costSince(marks: Marks): Record<string, HostCost> {
    const out: Record<string, HostCost> = {};
    for (const [host, since] of Object.entries(marks.since)) {
        const lines = sh(host, `${logMark(`end ${marks.id}`)}; sleep 0.2; ` +
            `journalctl -q -o cat --since @${Number(since) - 2} SYSLOG_IDENTIFIER=sshd + SYSLOG_IDENTIFIER=${TAG} + UNIT=keepalived.service`,
        { timeoutMs: 60_000 }).split("\n");
        const begin = lines.findIndex((l) => l.startsWith(`begin ${marks.id} port `));
        const end = lines.findIndex((l) => l.startsWith(`end ${marks.id} port `));
        if (begin < 0 || end < begin) throw new Error(`${host}: the bench's marks ${marks.id} are not in the journal in order`);
        const ownPorts = [lines[begin]!, lines[end]!].map((l) => l.split(" port ")[1]);
        const window = lines.slice(begin + 1, end).filter((l) => !ownPorts.some((p) => l.includes(` port ${p} `)));
        const count = (re: RegExp) => window.filter((l) => re.test(l)).length;
        out[host] = {
            connections: count(/^Accepted publickey for /),
            commands: count(/^Starting session: /),
            reloads: count(/^Reloaded .*(keepalived|Keepalive)/i),
            starts: count(/^Started .*(keepalived|Keepalive)/i),
        };
    }
    return out;
}
