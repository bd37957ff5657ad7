// Every forwarding mode on the local lab, from one director pair (`npm run lab -- up`):
//   NAT  10.201.0.110:80 and :9000 -> rs4, rs5 on the back segment (their gateway: the inside VIP)
//   TUN  10.201.0.111:80          -> rs3 (front) and rs6 (a routed remote subnet), over ipip
//   DR   [fd00:201::110]:80       -> rs1, rs2 over IPv6
//   UDP  10.201.0.110:9001 (NAT)   -> rs4, rs5, checked with UDP_CHECK
//   DR   fwmark 112: 10.201.0.112 TCP :80 and :9000 under one mark -> rs1, rs2
//   DR   10.201.0.113:80 -> rs1, rs2 with quorum 2 and rs3 as sorry server; :9000 has no real servers, only rs3
//   DR   10.201.0.114 -> rs1, rs2: :80 with PING_CHECK; :9000 scheduler fo, rs1 with uthreshold 3 / lthreshold 2;
//        UDP :53 with DNS_CHECK; SCTP :9002 with a MISC_CHECK (an SCTP probe: keepalived has no SCTP check)
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
const QUORUM_VIP = "10.201.0.113";
const CHECKS_VIP = "10.201.0.114";

const edge = new LvsDirectorPair("edge", {
    primary: connection("dir1"),
    secondary: connection("dir2"),
    interface: "eth0",
    vips: [NAT_VIP, TUN_VIP, V6_VIP, FWM_VIP, QUORUM_VIP, CHECKS_VIP],
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
// rs3 also holds QUORUM_VIP (on tunl0, with the ARP sysctls of TUN): it answers as the DR sorry server too.
const tun = ["rs3", "rs6"].map((n) => new RealServer(n, { connection: connection(n), address: addressOf(n), mode: "TUN", vips: n === "rs3" ? [TUN_VIP, QUORUM_VIP] : [TUN_VIP] }));
const v6 = ["rs1", "rs2"].map((n) => new RealServer(n, { connection: connection(n), address: addressOf(n, true), mode: "DR", vips: [V6_VIP, FWM_VIP, QUORUM_VIP, CHECKS_VIP] }));
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

// Below quorum 2 (both weights 1) the sorry server takes over, even with one real server still healthy.
const sorry = { address: addressOf("rs3") };
new VirtualService("quorum-web", {
    directors: edge, vip: QUORUM_VIP, port: 80, mode: "DR", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "HTTP", path: "/health", ...check }, quorum: 2, sorryServer: sorry,
    realServers: ["rs1", "rs2"].map((n) => ({ address: addressOf(n) })),
}, { dependsOn: [...v6, ...tun] });
new VirtualService("sorry-hold", {
    directors: edge, vip: QUORUM_VIP, port: 9000, mode: "DR", scheduler: "rr", delayLoop: 2, sorryServer: sorry, realServers: [],
}, { dependsOn: tun });
new VirtualService("ping-web", {
    directors: edge, vip: CHECKS_VIP, port: 80, mode: "DR", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "PING", ...check },
    realServers: ["rs1", "rs2"].map((n) => ({ address: addressOf(n) })),
}, { dependsOn: v6 });
// fo sends every connection to rs1 (the highest weight) until it holds 3; it takes new ones again below 2.
new VirtualService("threshold-hold", {
    directors: edge, vip: CHECKS_VIP, port: 9000, mode: "DR", scheduler: "fo", delayLoop: 2,
    healthCheck: { type: "TCP", ...check },
    realServers: [{ address: addressOf("rs1"), weight: 2, upperThreshold: 3, lowerThreshold: 2 }, { address: addressOf("rs2"), weight: 1 }],
}, { dependsOn: v6 });
new VirtualService("dns", {
    directors: edge, vip: CHECKS_VIP, port: 53, protocol: "UDP", mode: "DR", scheduler: "rr", delayLoop: 2,
    healthCheck: { type: "DNS", name: "lab.test", ...check },
    realServers: ["rs1", "rs2"].map((n) => ({ address: addressOf(n) })),
}, { dependsOn: v6 });
// The probe is a Python process per server and director: every 4 s, not 2, to spare the lab's CPUs.
new VirtualService("sctp-hold", {
    directors: edge, vip: CHECKS_VIP, port: 9002, protocol: "SCTP", mode: "DR", scheduler: "rr", delayLoop: 2,
    realServers: ["rs1", "rs2"].map((n) => ({
        address: addressOf(n),
        healthCheck: { type: "MISC" as const, command: `/usr/local/bin/lab-client sctp ${addressOf(n)} 9002 --count 1 --timeout 1 --check`, timeout: 3, ...check, delayLoop: 4 },
    })),
}, { dependsOn: v6 });

export const primaryConfig = edge.configs.primary;
