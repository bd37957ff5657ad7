// Every forwarding mode on the local lab, from one director pair (`npm run lab -- up`):
//   NAT  10.201.0.110:80 and :9000 -> rs4, rs5 on the back segment (their gateway: the inside VIP)
//   TUN  10.201.0.111:80          -> rs3 (front) and rs6 (a routed remote subnet), over ipip
//   DR   [fd00:201::110]:80       -> rs1, rs2 over IPv6
//   UDP  10.201.0.110:9001 (NAT)   -> rs4, rs5, checked with UDP_CHECK
//   DR   fwmark 112: 10.201.0.112 TCP :80 and :9000 under one mark -> rs1, rs2
// The pair tracks its uplink (a ping of the front segment's router) and logs every state change.
// Stack config: lab:hosts, lab:privateKey (secret), vrrpPassword (secret), as for examples/lab-dr;
//   unicast      optional, default true: unicast VRRP between the directors
//   syncDaemon   optional, default true: lvs_sync_daemon on the inside NIC
//   hmacKey      optional secret: use auth_hmac (keepalived 2.4+) with this key instead of auth_pass
//   unicastAddresses  optional: vrrp.unicastAddresses, e.g. the directors' link-local IPv6 addresses
import * as pulumi from "@pulumi/pulumi";
import { LvsDirectorPair, RealServer, VirtualService, type ConnectionArgs } from "pulumi-lvs";

interface LabHost {
    name: string;
    ssh: { host: string; port: number; user: string };
    addresses: { segment: string; interface: string; address: string }[];
}

const lab = new pulumi.Config("lab");
const config = new pulumi.Config();
const hosts = lab.requireObject<LabHost[]>("hosts");
const privateKey = lab.requireSecret("privateKey");
const host = (name: string): LabHost => {
    const h = hosts.find((x) => x.name === name);
    if (!h) throw new Error(`the lab has no host ${name}`);
    return h;
};
const connection = (name: string): ConnectionArgs => ({ host: host(name).ssh.host, port: host(name).ssh.port, user: host(name).ssh.user, privateKey });
const addressOf = (name: string, v6 = false) =>
    host(name).addresses.find((a) => a.segment !== "mgmt" && a.address.includes(":") === v6)!.address;

const NAT_VIP = "10.201.0.110";
const TUN_VIP = "10.201.0.111";
const V6_VIP = "fd00:201::110";
const INSIDE_VIP = "10.202.0.100";
const FWM_VIP = "10.201.0.112";

const edge = new LvsDirectorPair("edge", {
    primary: connection("dir1"),
    secondary: connection("dir2"),
    interface: "eth0",
    vips: [NAT_VIP, TUN_VIP, V6_VIP, FWM_VIP],
    inside: { interface: "eth1", vips: [`${INSIDE_VIP}/24`], masquerade: ["10.202.0.0/24"] },
    vrrp: {
        virtualRouterId: 61,
        ...(config.get("hmacKey") !== undefined
            ? { authType: "HMAC" as const, authHmacKey: config.requireSecret("hmacKey") }
            : { authPass: config.requireSecret("vrrpPassword") }),
        unicast: config.getBoolean("unicast") ?? true,
        // A director that cannot reach its router goes to FAULT and hands the VIPs over.
        trackScripts: [{ name: "chk_uplink", command: "/usr/bin/ping -c1 -W1 10.201.0.1", interval: 2, fall: 3, rise: 2 }],
        // `notify` gets TYPE NAME STATE PRIORITY appended: the journal shows "GROUP edge_group MASTER ...".
        notify: { any: "/usr/bin/logger -t pulumi-lvs-notify" },
        unicastAddresses: config.getObject<{ primary: Record<string, string[]>; secondary: Record<string, string[]> }>("unicastAddresses"),
    },
    ...(config.getBoolean("syncDaemon") ?? true ? { lvsSyncDaemon: { interface: "eth1", syncId: 61 } } : {}),
});

// `address` is each real server's RIP: a realServers entry that names the RealServer uses it (and the
// service then waits for that server). rs1/rs2 serve two VIPs on two addresses: fwm-web names its v4 ones.
const nat = ["rs4", "rs5"].map((n) => new RealServer(n, { connection: connection(n), address: addressOf(n), mode: "NAT", gateway: INSIDE_VIP }));
const tun = ["rs3", "rs6"].map((n) => new RealServer(n, { connection: connection(n), address: addressOf(n), mode: "TUN", vips: [TUN_VIP] }));
const v6 = ["rs1", "rs2"].map((n) => new RealServer(n, { connection: connection(n), address: addressOf(n, true), mode: "DR", vips: [V6_VIP, FWM_VIP] }));
const entries = (servers: RealServer[]) => servers.map((realServer) => ({ realServer }));

const check = { connectTimeout: 1, retry: 1, delayBeforeRetry: 1 };
new VirtualService("nat-web", {
    directors: edge, vip: NAT_VIP, port: 80, mode: "NAT", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "HTTP", path: "/health", ...check },
    realServers: entries(nat),
});
new VirtualService("nat-hold", {
    directors: edge, vip: NAT_VIP, port: 9000, mode: "NAT", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "TCP", ...check },
    realServers: entries(nat),
});
new VirtualService("tun-web", {
    directors: edge, vip: TUN_VIP, port: 80, mode: "TUN", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "TCP", ...check },
    realServers: entries(tun),
});
new VirtualService("v6-web", {
    directors: edge, vip: V6_VIP, port: 80, mode: "DR", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "TCP", ...check },
    realServers: entries(v6),
});

new VirtualService("nat-echo", {
    directors: edge, vip: NAT_VIP, port: 9001, protocol: "UDP", mode: "NAT", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "UDP", ...check },
    realServers: entries(nat),
});
// One mark for the web and hold ports of one VIP: IPVS balances them as one service.
new VirtualService("fwm-web", {
    directors: edge, fwmark: { mark: 112, vip: FWM_VIP, ports: [80, 9000] }, mode: "DR", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "TCP", ...check },
    realServers: ["rs1", "rs2"].map((n) => ({ address: addressOf(n) })),
}, { dependsOn: v6 });

export const primaryConfig = edge.configs.primary;
