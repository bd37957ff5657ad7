// The default example: an HTTP service in DR mode on the local lab (`npm run lab -- up`).
// Stack config (set by `npm run demo`, or by hand from `npm run lab -- status --json`):
//   lab:hosts         the lab's hosts (the JSON of `lab status --json`)
//   lab:privateKey    the lab's SSH key (secret)
//   vrrpPassword      the VRRP password, at most 8 characters (secret)
//   weights           optional: the web service's wrr weight of any real server, e.g. {"rs1": 5}
//                     (`pulumi config set --path weights.rs1 5`); the others keep theirs (rs1 3, rs2 2, rs3 1)
//   scheduler         optional, defaults to wrr
//   drain             optional, real servers to drain, e.g. ["rs1"]
//   driftCheck        optional, default false: probe for drift on every preview and up, repair it on up
//   virtualRouterId   optional, defaults to 51
//   mailRelay         optional, an SMTP relay's address (the lab's client runs a mail sink on port 25):
//                     keepalived then mails ops@lab.example when a director becomes MASTER or a health
//                     check takes a real server out or puts it back
//   oneDirector       optional, default false: dir1 alone, without VRRP (no secondary, no vrrp); setting it
//                     back to false later grows it into the pair with dir2, without a gap
//   firewall          optional, default false: for hosts whose INPUT policy drops by default, the directors
//                     open VRRP and the VIP's ports, the real servers their service ports (80, 9000)
//   syncDaemon        optional, default false: keepalived's LVS sync daemon on eth0, so the backup knows the
//                     master's connections and established ones survive a failover
import * as pulumi from "@pulumi/pulumi";
import { LvsDirectorPair, RealServer, VirtualService, type ConnectionArgs, type Scheduler } from "pulumi-lvs";

interface LabHost {
    name: string;
    role: "director" | "real" | "client";
    ssh: { host: string; port: number; user: string };
    addresses: { segment: string; interface: string; address: string }[];
}

const lab = new pulumi.Config("lab");
const config = new pulumi.Config();
const hosts = lab.requireObject<LabHost[]>("hosts");
const privateKey = lab.requireSecret("privateKey");
/** The lab's DR real servers and their default weights in the web service. */
const DEFAULT_WEIGHTS: Record<string, number> = { rs1: 3, rs2: 2, rs3: 1 };
const overrides = config.getObject<Record<string, number>>("weights") ?? {};
for (const name of Object.keys(overrides)) {
    if (!(name in DEFAULT_WEIGHTS)) throw new Error(`config weights.${name}: the real servers are ${Object.keys(DEFAULT_WEIGHTS).join(", ")}`);
}
const weights = { ...DEFAULT_WEIGHTS, ...overrides };
const drain = new Set(config.getObject<string[]>("drain") ?? []);
const mailRelay = config.get("mailRelay");
const firewall = config.getBoolean("firewall") ?? false;
const oneDirector = config.getBoolean("oneDirector") ?? false;

const host = (name: string): LabHost => {
    const h = hosts.find((x) => x.name === name);
    if (!h) throw new Error(`the lab has no host ${name}`);
    return h;
};
const connection = (name: string, user = host(name).ssh.user): ConnectionArgs => ({ host: host(name).ssh.host, port: host(name).ssh.port, user, privateKey });
const frontAddress = (name: string) => host(name).addresses.find((a) => a.segment === "front" && !a.address.includes(":"))!.address;

const vip = "10.201.0.100";

const directors = new LvsDirectorPair("lb", {
    primary: connection("dir1"),
    // One director: no secondary and no VRRP. Adding both later grows it into a pair.
    secondary: oneDirector ? undefined : connection("dir2"),
    interface: "eth0",
    vips: [vip],
    vrrp: oneDirector ? undefined : { virtualRouterId: config.getNumber("virtualRouterId") ?? 51, authPass: config.requireSecret("vrrpPassword"), smtpAlert: mailRelay ? true : undefined },
    // Health checks mail too (keepalived's default once the pair has emailAlerts).
    emailAlerts: mailRelay ? { to: ["ops@lab.example"], from: "lvs@lab.example", smtpServer: { host: mailRelay }, smtpConnectTimeout: 5 } : undefined,
    driftCheck: config.getBoolean("driftCheck") ?? false,
    firewall,
    lvsSyncDaemon: config.getBoolean("syncDaemon") && !oneDirector ? { interface: "eth0", syncId: 51 } : undefined,
});

// rs3 is reached as "ops", a user with sudo: pulumi-lvs runs its scripts through `sudo -n` then.
// `address` is the RIP the directors forward to (the SSH host is the lab's port forward, not the RIP).
const realServers = Object.fromEntries(Object.keys(weights).sort().map((name) => [name, new RealServer(name, {
    connection: connection(name, name === "rs3" ? "ops" : undefined),
    address: frontAddress(name),
    mode: "DR",
    vips: [vip],
    // The web service and its health URL, and the line echo.
    firewall: firewall ? { ports: [{ port: 80 }, { port: 9000 }] } : undefined,
})]));

const web = new VirtualService("web", {
    directors,
    vip,
    port: 80,
    scheduler: (config.get("scheduler") ?? "wrr") as Scheduler,
    mode: "DR",
    delayLoop: 2,
    // HTTP_GET: a server whose /health stops answering 200 leaves the table.
    healthCheck: { type: "HTTP", path: "/health", statusCode: 200, connectTimeout: 1, retry: 1, delayBeforeRetry: 1 },
    // Each entry is the RealServer itself: the service waits until it is ready.
    realServers: Object.entries(weights).map(([name, weight]) => ({ realServer: realServers[name]!, weight, drain: drain.has(name) })),
});

// Long-lived TCP connections (the lab's line echo on 9000): what a drain must keep open. Spread evenly
// (weight 1 each): the weights above are the web service's, so changing one changes one line.
new VirtualService("hold", {
    directors,
    vip,
    port: 9000,
    scheduler: "wrr",
    mode: "DR",
    delayLoop: 2,
    healthCheck: { type: "TCP", connectTimeout: 1, retry: 1, delayBeforeRetry: 1 },
    realServers: Object.keys(weights).map((name) => ({ realServer: realServers[name]!, weight: 1, drain: drain.has(name) })),
});

export const vipAddress = vip;
export const service = web.key;
export const weightsByServer = weights;
export const primaryConfig = directors.configs.primary;
export const serviceConfig = web.config;
