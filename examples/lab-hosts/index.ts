// The lab's hosts as Pulumi resources: one `pulumi up` boots them (a command.local.Command runs
// `lab up`) and configures them from that command's Outputs: SSH endpoints, addresses and host keys,
// as a cloud's VMs would give them (see examples/aws, examples/hetzner). An HTTP service in DR mode on
// two real servers, with unicast VRRP between the directors' addresses.
// Stack config:
//   vrrpPassword   the VRRP password, at most 8 characters (secret)
//   labName        optional, which lab (LAB_NAME, 1-8 lowercase letters or digits); defaults to "hosts",
//                  a lab of its own: the demo's ("main") and the tests' ("test") are left alone
//   keepLab        optional, default false: `pulumi destroy` stops the lab if this stack started it;
//                  true leaves it up. A lab that was up before the stack's first `up` always stays up.
//                  A change takes effect with the next `up` (destroy runs the delete `up` recorded).
//   labRepo        optional, the pulumi-lvs clone whose lab/ runs the lab; defaults to this one
// Needs root (the lab does), like `npm run lab`.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { LvsDirectorPair, RealServer, VirtualService, type ConnectionArgs } from "pulumi-lvs";

/** A host as lab-hosts.sh prints it: `lab status --json`, plus the host key its sshd presents. */
interface LabHost {
    name: string;
    role: "director" | "real" | "client";
    ssh: { host: string; port: number; user: string; privateKeyPath: string };
    addresses: { segment: string; interface: string; address: string }[];
    hostKey: string;
}
interface Lab {
    lab: string;
    startedByStack: boolean;
    hosts: LabHost[];
}

const config = new pulumi.Config();
const labName = config.get("labName") ?? "hosts";
if (!/^[a-z0-9]{1,8}$/.test(labName)) throw new Error(`config labName: "${labName}" must be 1-8 lowercase letters or digits`);
const keepLab = config.getBoolean("keepLab") ?? false;
const labRepo = config.get("labRepo") ?? path.resolve(__dirname, "..", "..");

// The hosts. `lab up` returns once every host answers SSH (within LAB_BOOT_TIMEOUT, 300 s); each
// connection below is pinned to its host key, which pulumi-lvs checks before any command, retrying a
// host that does not answer yet (dialErrorLimit, 10 attempts by default).
const lab = new command.local.Command("lab", {
    create: "bash examples/lab-hosts/lab-hosts.sh up",
    delete: "bash examples/lab-hosts/lab-hosts.sh down",
    dir: labRepo,
    environment: { LAB_NAME: labName, KEEP_LAB: String(keepLab) },
    // Another lab is another resource: the old one's delete runs first (it stops the old lab if this
    // stack started it), then the new one boots. A replacement never starts before the delete, which
    // would stop the lab under it.
    triggers: [labName, labRepo],
    // Progress (the boot) goes to stderr; stdout is the JSON the components are fed from.
    logging: "stderr",
}, { deleteBeforeReplace: true });
const booted = lab.stdout.apply((out) => JSON.parse(out) as Lab);

const host = (name: string) => booted.apply((l) => {
    const h = l.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab ${l.lab} has no host ${name}`);
    if (!h.hostKey) throw new Error(`lab ${l.lab}: no host key for ${name}`);
    return h;
});
/** The lab's SSH key, read where `lab up` made it (the same for every host). */
const privateKey = pulumi.secret(booted.apply((l) => fs.readFileSync(l.hosts[0]!.ssh.privateKeyPath, "utf8")));
const connection = (name: string): ConnectionArgs => {
    const h = host(name);
    return { host: h.ssh.host, port: h.ssh.port, user: h.ssh.user, privateKey, hostKey: h.hostKey };
};
/** A host's address on the front segment, where the VIP and the real servers are. */
const frontAddress = (name: string) => host(name).apply((h) => h.addresses.find((a) => a.segment === "front" && !a.address.includes(":"))!.address);

/** Not lab-dr's VIP or router id: this stack may share a lab with it (labName "main"). */
const VIP = "10.201.0.110";

const directors = new LvsDirectorPair("hosts-lb", {
    primary: connection("dir1"),
    secondary: connection("dir2"),
    interface: "eth0",
    vips: [VIP],
    vrrp: {
        virtualRouterId: 61,
        authPass: config.requireSecret("vrrpPassword"),
        // As in a cloud: unicast adverts between the addresses the hosts' resource reported.
        unicast: true,
        unicastAddresses: { primary: { eth0: [frontAddress("dir1")] }, secondary: { eth0: [frontAddress("dir2")] } },
    },
});

const realServers = ["rs1", "rs2"].map((name) => new RealServer(`hosts-${name}`, {
    connection: connection(name),
    // The RIP; the SSH host is the lab's port forward on 127.0.0.1.
    address: frontAddress(name),
    mode: "DR",
    vips: [VIP],
}));

const web = new VirtualService("hosts-web", {
    directors,
    vip: VIP,
    port: 80,
    mode: "DR",
    scheduler: "rr",
    delayLoop: 2,
    healthCheck: { type: "HTTP", path: "/health", statusCode: 200, connectTimeout: 1, retry: 1, delayBeforeRetry: 1 },
    realServers: realServers.map((realServer) => ({ realServer, weight: 1 })),
});

export const vip = VIP;
export const service = web.key;
export const labUsed = booted.lab;
export const startedByStack = booted.startedByStack;
/** Each host this stack configures, with the key it is pinned to. */
export const hostKeys = pulumi.output(Object.fromEntries(["dir1", "dir2", "rs1", "rs2"].map((n) => [n, host(n).hostKey])));
export const primaryConfig = directors.configs.primary;
