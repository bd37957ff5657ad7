// NAT with two NICs, TUN, IPv6, unicast VRRP under a multicast block, and connection sync (issue 5's
// proofs 1, 2, 3, 4 and 7), plus a UDP service, an fwmark service, track_script and notify, and (issue 14)
// a sorry server for an empty pool and under quorum, PING/DNS/MISC checks taking a server out and back,
// SCTP, and uthreshold/lthreshold, each with traffic, on the lab's real hosts with the real Pulumi CLI
// (examples/lab-modes).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { address, directorPackagesFromAdmin, firewallRules, httpRequests, onHost, onHostAsync, sh, startHttpLoop, timeVipMove } from "../../lab/helpers";
import { LabStack } from "../helpers/labStack";
import { repoRoot, stateFile } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "examples", "lab-modes");
const NAT_VIP = "10.201.0.110";
const TUN_VIP = "10.201.0.111";
const V6_VIP = "fd00:201::110";
const INSIDE_VIP = "10.202.0.100";
const FWM_VIP = "10.201.0.112";
const QUORUM_VIP = "10.201.0.113";
const CHECKS_VIP = "10.201.0.114";
const DIRECTORS = ["dir1", "dir2"];
const NAT_RS = ["rs4", "rs5"];
const TUN_RS = ["rs3", "rs6"];
const V6_RS = ["rs1", "rs2"];
const TUN_SYSCTLS = ["net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce"];
/** Drops VRRP multicast adverts (IPv4 and IPv6) on a director: what clouds do. */
const BLOCK_VRRP = [
    "iptables-legacy -I INPUT -p 112 -d 224.0.0.18 -m comment --comment lab-block-vrrp -j DROP",
    "ip6tables-legacy -I INPUT -p 112 -d ff02::12 -m comment --comment lab-block-vrrp -j DROP",
];
const UNBLOCK_VRRP = [
    "while iptables-legacy -D INPUT -p 112 -d 224.0.0.18 -m comment --comment lab-block-vrrp -j DROP 2>/dev/null; do :; done",
    "while ip6tables-legacy -D INPUT -p 112 -d ff02::12 -m comment --comment lab-block-vrrp -j DROP 2>/dev/null; do :; done",
];

/** Drops a director's pings to the front router: the example's chk_uplink track script then fails. */
const BLOCK_UPLINK = "iptables-legacy -I OUTPUT -d 10.201.0.1 -p icmp -m comment --comment lab-block-uplink -j DROP";
const UNBLOCK_UPLINK = "while iptables-legacy -D OUTPUT -d 10.201.0.1 -p icmp -m comment --comment lab-block-uplink -j DROP 2>/dev/null; do :; done";
const onDev = (host: string, dev: string, addr: string) => sh(host, `ip -o addr show dev ${dev}`).includes(` ${addr}/`);
const firewall = (host: string) => firewallRules(host);
const defaultRoutes = (host: string) => sh(host, "ip route show default; ip -6 route show default");
const sysctls = (host: string, keys: string[]) => sh(host, `sysctl ${keys.join(" ")}`);
/** The host's link-local IPv6 address on a NIC: what facts leave out, so the test gives it explicitly. */
const linkLocal = (host: string, dev: string) => sh(host, `ip -6 -o addr show dev ${dev} scope link`).match(/inet6 (fe80::[0-9a-f:]+)\//)![1]!;
// The kernel sums IPVS's per-CPU counters every 2 s: read --stats only after that.
const IPVS_STATS_SETTLE_MS = 4500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const holds = (n: number, seconds: number) =>
    Array.from({ length: n }, () => onHostAsync("client", `lab-client hold ${NAT_VIP} 9000 --seconds ${seconds} --interval 0.5 --timeout 3`));

/** The real servers IPVS holds for one service on the master, by address: weight and connection counts. */
function ipvsServers(service: string): Record<string, { weight: number; active: number; inactive: number }> {
    const servers: Record<string, { weight: number; active: number; inactive: number }> = {};
    for (const line of sh("dir1", `ipvsadm -Ln ${service}`).split("\n")) {
        // "  -> 10.201.0.21:80   Route   1   0   3"
        const f = line.trim().split(/\s+/);
        if (f[0] !== "->" || f[1] === "RemoteAddress:Port") continue;
        servers[f[1]!.replace(/:\d+$/, "")] = { weight: Number(f[3]), active: Number(f[4]), inactive: Number(f[5]) };
    }
    return servers;
}
const heldBy = (service: string) => Object.keys(ipvsServers(service)).sort().join(" ");
const onlyFrom = (answers: Record<string, number>, hosts: string[]) => Object.keys(answers).every((h) => hosts.includes(h)) && hosts.every((h) => (answers[h] ?? 0) > 0);
const BLOCK_PING = "iptables-legacy -I INPUT -p icmp --icmp-type echo-request -m comment --comment lab-block-ping -j DROP";
const UNBLOCK_PING = "while iptables-legacy -D INPUT -p icmp --icmp-type echo-request -m comment --comment lab-block-ping -j DROP 2>/dev/null; do :; done";

interface Traffic { answers: Record<string, number>; failures: number }
/**
 * One health check at work, with traffic: `fault` on rs1 makes its check fail, so the master takes rs1 out
 * of `service` and only `meanwhile` answers; `repair` brings rs1 back, and rs1 and rs2 answer again.
 */
async function checkOnRs1(o: { service: string; fault: string; repair: string; traffic: () => Traffic; meanwhile?: { host: string; address: string } }): Promise<string> {
    const rs1 = address("rs1", "front");
    const rs2 = address("rs2", "front");
    const meanwhile = o.meanwhile ?? { host: "rs2", address: rs2 };
    assert.ok(await waitFor(() => heldBy(o.service) === `${rs1} ${rs2}`), `rs1 and rs2 in ${o.service}: ${heldBy(o.service)}`);
    const before = o.traffic();
    assert.ok(before.failures === 0 && onlyFrom(before.answers, ["rs1", "rs2"]), `before: ${JSON.stringify(before)}`);
    const faulted = Date.now();
    let during: Traffic, out: number;
    sh("rs1", o.fault);
    try {
        assert.ok(await waitFor(() => heldBy(o.service) === meanwhile.address, 30_000), `the check took rs1 out of ${o.service}: ${heldBy(o.service)}`);
        out = (Date.now() - faulted) / 1000;
        during = o.traffic();
        assert.ok(during.failures === 0 && onlyFrom(during.answers, [meanwhile.host]), `only ${meanwhile.host} answers meanwhile: ${JSON.stringify(during)}`);
    } finally {
        sh("rs1", o.repair);
    }
    const repaired = Date.now();
    assert.ok(await waitFor(() => heldBy(o.service) === `${rs1} ${rs2}`, 30_000), `rs1 back in ${o.service}: ${heldBy(o.service)}`);
    const back = (Date.now() - repaired) / 1000;
    const after = o.traffic();
    assert.ok(after.failures === 0 && onlyFrom(after.answers, ["rs1", "rs2"]), `after: ${JSON.stringify(after)}`);
    return `before ${JSON.stringify(before.answers)}; rs1 out ${out.toFixed(1)} s after the fault, then ${JSON.stringify(during.answers)}; ` +
        `back ${back.toFixed(1)} s after the repair, then ${JSON.stringify(after.answers)}; failed 0`;
}

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (check()) return true;
        await sleep(250);
    }
    return false;
}

/** Stops keepalived on the master; returns seconds until both the outside and the inside VIP are on dir2. */
async function failover(): Promise<{ outside: number; inside: number }> {
    const inside = timeVipMove({ from: "dir1", to: "dir2", vip: INSIDE_VIP, iface: "eth1", action: "true" });
    const outside = await timeVipMove({ from: "dir1", to: "dir2", vip: NAT_VIP, iface: "eth0", action: "systemctl stop keepalived" });
    return { outside, inside: await inside };
}

async function recover(): Promise<void> {
    sh("dir1", "systemctl start keepalived");
    assert.ok(await waitFor(() => onDev("dir1", "eth0", NAT_VIP) && !onDev("dir2", "eth0", NAT_VIP) && !onDev("dir2", "eth1", INSIDE_VIP)), "the VIPs return to dir1");
}

describe("NAT, TUN, IPv6, unicast VRRP and connection sync on the lab", function () {
    this.timeout(1_200_000);
    const stack = `e2e-modes-${process.pid}`;
    let lab: LabStack;
    const prior: Record<string, string> = {};
    const ll: Record<string, string> = {};

    before(async () => {
        await directorPackagesFromAdmin(DIRECTORS);
        for (const d of DIRECTORS) prior[d] = firewall(d);
        for (const r of NAT_RS) prior[r] = defaultRoutes(r);
        for (const r of TUN_RS) prior[r] = sysctls(r, TUN_SYSCTLS);
        // The IPv6 instance's unicast adverts go between the directors' link-local addresses (vrrp.unicastAddresses).
        for (const d of DIRECTORS) ll[d] = linkLocal(d, "eth0");
        const unicastAddresses = { primary: { eth0: [ll.dir1!] }, secondary: { eth0: [ll.dir2!] } };
        lab = LabStack.create(program, stack, { unicastAddresses: JSON.stringify(unicastAddresses) }, { vrrpPassword: "e2eModes" });
    });

    after(() => {
        for (const d of DIRECTORS) sh(d, [...UNBLOCK_VRRP, UNBLOCK_UPLINK].join("; "));
        // What a failed health-check step may have left on rs1.
        onHost("rs1", `rm -f /run/lab/unhealthy /run/lab/dns-refused; systemctl start lab-sctp; ${UNBLOCK_PING}`);
        lab?.remove();
    });

    it("0. auth_hmac on the lab's keepalived 2.2.7: a clear error before anything is configured, and the key stays secret", () => {
        const key = "hmacKeyForTheE2eTest0123456789abcdef";
        lab.secret("hmacKey", key);
        const res = lab.run(["up", "--yes", "--skip-preview"]);
        assert.notEqual(res.code, 0);
        assert.match(res.output, /vrrp\.authType HMAC \(auth_hmac\) needs keepalived 2\.4 or later; this host has keepalived 2\.2\.7/);
        assert.ok(!res.output.includes(key), "the key is not in the output");
        const state = fs.readFileSync(stateFile("lvs-lab-modes", stack), "utf8");
        assert.ok(!state.includes(key), "the key is not in plaintext in the state");
        for (const d of DIRECTORS) assert.equal(sh(d, "ls /etc/keepalived/keepalived.conf /etc/keepalived/pulumi-lvs 2>/dev/null || true").trim(), "", `${d}: nothing configured`);
        lab.ok(["config", "rm", "hmacKey"]);
        console.log("      auth_hmac on keepalived 2.2.7: refused with a clear error; key in output: 0, in state: 0");
    });

    it("1. up: outside and inside VIPs on the master, NAT/TUN/IPv6 services in IPVS, real servers prepared", () => {
        lab.up();
        for (const vip of [NAT_VIP, TUN_VIP, V6_VIP, FWM_VIP]) assert.ok(onDev("dir1", "eth0", vip) && !onDev("dir2", "eth0", vip), `${vip} on dir1 only`);
        assert.ok(onDev("dir1", "eth1", INSIDE_VIP) && !onDev("dir2", "eth1", INSIDE_VIP), "inside VIP on dir1 only");
        const conf = sh("dir1", "cat /etc/keepalived/keepalived.conf");
        assert.match(conf, /vrrp_sync_group VG_eth0_61/);
        assert.match(conf, /unicast_peer \{\n\s+10\.201\.0\.12\n/);
        assert.match(conf, new RegExp(`vrrp_instance VI_eth0_61_v6 \\{[^}]*unicast_src_ip ${ll.dir1}\\n\\s+unicast_peer \\{\\n\\s+${ll.dir2}\\n`));
        assert.match(conf, /lvs_sync_daemon eth1 VI_eth0_61 id 61/);
        const table = sh("dir1", "ipvsadm-save -n");
        for (const r of NAT_RS) assert.match(table, new RegExp(`-a -t ${NAT_VIP}:80 -r ${address(r, "back")}:80 -m`));
        for (const r of TUN_RS) assert.match(table, new RegExp(`-a -t ${TUN_VIP}:80 -r ${address(r, r === "rs6" ? "remote" : "front")}:80 -i`));
        assert.match(table, /-A -t \[fd00:201::110\]:80 -s rr/);
        for (const r of NAT_RS) assert.match(table, new RegExp(`-a -u ${NAT_VIP}:9001 -r ${address(r, "back")}:9001 -m`));
        for (const r of V6_RS) assert.match(table, new RegExp(`-a -f 112 -r ${address(r, "front")}:0 -g`));
        assert.match(firewallRules("dir1", ["mangle"]), /-d 10\.201\.0\.112\/32 -p tcp -m multiport --dports 80,9000 -j MARK --set-xmark 0x70\//);
        assert.equal(sh("dir1", "sysctl -n net.ipv4.ip_forward").trim(), "1");
        assert.match(firewallRules("dir1", ["nat"]), /-A PLVS_edge_POSTROUTING -s 10\.202\.0\.0\/24 -o eth0 -j MASQUERADE/);
        // NAT forwarding opens the real servers' replies per service, not the inside network.
        const forward = firewallRules("dir1", ["filter"]);
        for (const r of NAT_RS) assert.match(forward, new RegExp(`-A PLVS_tcp80_[0-9a-f]+_FORWARD -s ${address(r, "back").replace(/\./g, "\\.")}/32 -i eth1 -p tcp -m tcp --sport 80 -j ACCEPT`));
        assert.doesNotMatch(forward, /-i eth0 -o eth1 -j ACCEPT/);
        for (const r of NAT_RS) assert.match(defaultRoutes(r), new RegExp(`default via ${INSIDE_VIP} `));
        for (const r of TUN_RS) assert.ok(onDev(r, "tunl0", TUN_VIP), `${r}: VIP on tunl0`);
    });

    it("2. NAT: traffic through the VIP reaches both real servers behind the directors", () => {
        const res = httpRequests(`http://${NAT_VIP}/`, 100);
        assert.equal(res.failures, 0, JSON.stringify(res));
        for (const r of NAT_RS) assert.ok((res.answers[r] ?? 0) > 30, `${r} answered: ${JSON.stringify(res.answers)}`);
        console.log(`      NAT: ${JSON.stringify(res.answers)}, failed ${res.failures}`);
    });

    it("3. TUN: balanced, and the replies bypass the director (its OutPkts counter stays 0)", async () => {
        sh("dir1", "ipvsadm -Z");
        const res = httpRequests(`http://${TUN_VIP}/`, 100);
        const nat = httpRequests(`http://${NAT_VIP}/`, 20);
        assert.equal(res.failures + nat.failures, 0, JSON.stringify(res));
        for (const r of TUN_RS) assert.ok((res.answers[r] ?? 0) > 30, `${r} answered: ${JSON.stringify(res.answers)}`);
        await sleep(IPVS_STATS_SETTLE_MS);
        const stats = (vip: string) => sh("dir1", `ipvsadm -Ln --stats -t ${vip}:80`).split("\n").find((l) => l.startsWith("TCP"))!.trim().split(/\s+/);
        // TCP VIP:80 Conns InPkts OutPkts InBytes OutBytes
        const [, , tunConns, tunIn, tunOut] = stats(TUN_VIP);
        const [, , , , natOut] = stats(NAT_VIP);
        assert.ok(Number(tunIn) > 0 && Number(tunOut) === 0, `TUN: InPkts ${tunIn}, OutPkts ${tunOut}`);
        assert.ok(Number(natOut) > 0, `NAT replies pass the director: OutPkts ${natOut}`);
        console.log(`      TUN: ${JSON.stringify(res.answers)}; director counters: ${tunConns} conns, ${tunIn} packets in, ${tunOut} out (NAT for contrast: ${natOut} out)`);
    });

    it("7. IPv6: the IPv6 VIP serves traffic (DR, its own vrrp_instance in the sync group)", () => {
        const res = httpRequests(`http://[${V6_VIP}]/`, 50);
        assert.equal(res.failures, 0, JSON.stringify(res));
        for (const r of V6_RS) assert.ok((res.answers[r] ?? 0) > 10, `${r} answered: ${JSON.stringify(res.answers)}`);
        console.log(`      IPv6: ${JSON.stringify(res.answers)}, failed ${res.failures}`);
    });

    it("UDP (NAT, UDP_CHECK) and an fwmark service (two TCP ports, one mark) carry traffic", async () => {
        const udp = JSON.parse(sh("client", `lab-client udp ${NAT_VIP} 9001 --count 40 --timeout 2`));
        // UDP has no retransmission: the lab loses about 1 datagram in 200 on this forwarded path (2 of 400
        // in one run; TCP hides such losses), so a few are allowed. A broken service loses them all.
        assert.ok(udp.failures <= 2, JSON.stringify(udp));
        for (const r of NAT_RS) assert.ok((udp.answers[r] ?? 0) >= 10, `${r} answered UDP: ${JSON.stringify(udp)}`);
        sh("dir1", "ipvsadm -Z");
        const web = httpRequests(`http://${FWM_VIP}/`, 40);
        assert.equal(web.failures, 0, JSON.stringify(web));
        for (const r of V6_RS) assert.ok((web.answers[r] ?? 0) >= 10, `${r} answered through the mark: ${JSON.stringify(web)}`);
        const hold = JSON.parse(sh("client", `lab-client hold ${FWM_VIP} 9000 --seconds 1 --interval 0.2`));
        assert.ok(hold.alive && V6_RS.includes(hold.server), `port 9000 under the same mark: ${JSON.stringify(hold)}`);
        // Both ports were counted by the one fwmark service.
        await sleep(IPVS_STATS_SETTLE_MS);
        const conns = Number(sh("dir1", "ipvsadm -Ln --stats -f 112").split("\n").find((l) => l.startsWith("FWM"))!.trim().split(/\s+/)[2]);
        assert.ok(conns >= 41, `fwmark 112 counted ${conns} connections`);
        console.log(`      UDP: ${JSON.stringify(udp.answers)}, failed ${udp.failures}; fwmark 112: :80 ${JSON.stringify(web.answers)} failed ${web.failures}, :9000 held by ${hold.server}; ${conns} connections on the mark`);
    });

    it("sorry server: an empty pool is served by it; below quorum 2 (rs1 unhealthy, rs2 still healthy) only it answers; back above, rs1 and rs2 again", async () => {
        const greeted = sh("client", `for i in 1 2 3 4; do lab-client hold ${QUORUM_VIP} 9000 --seconds 0; done`).trim().split("\n").map((l) => JSON.parse(l).server);
        assert.deepEqual(greeted, ["rs3", "rs3", "rs3", "rs3"], "the empty pool's sorry server answers");
        const summary = await checkOnRs1({
            service: `-t ${QUORUM_VIP}:80`, fault: "mkdir -p /run/lab && touch /run/lab/unhealthy", repair: "rm -f /run/lab/unhealthy",
            traffic: () => httpRequests(`http://${QUORUM_VIP}/`, 20), meanwhile: { host: "rs3", address: address("rs3", "front") },
        });
        console.log(`      empty pool :9000: greeted by ${greeted.join(", ")}; quorum :80: ${summary}`);
    });

    it("PING_CHECK: rs1 stops answering pings -> out of the table, traffic to rs2; pings back -> re-added", async () => {
        const summary = await checkOnRs1({ service: `-t ${CHECKS_VIP}:80`, fault: BLOCK_PING, repair: UNBLOCK_PING, traffic: () => httpRequests(`http://${CHECKS_VIP}/`, 20) });
        console.log(`      PING_CHECK: ${summary}`);
    });

    it("DNS_CHECK: rs1's name server answers REFUSED -> out of the table, queries to rs2; answers again -> re-added", async () => {
        const summary = await checkOnRs1({
            service: `-u ${CHECKS_VIP}:53`, fault: "mkdir -p /run/lab && touch /run/lab/dns-refused", repair: "rm -f /run/lab/dns-refused",
            traffic: () => JSON.parse(sh("client", `lab-client dns ${CHECKS_VIP} --count 20 --timeout 3`)),
        });
        console.log(`      DNS_CHECK: ${summary}`);
    });

    it("SCTP through the VIP; its MISC_CHECK (an SCTP probe) takes rs1 out when rs1's SCTP server stops, and back when it starts", async () => {
        const summary = await checkOnRs1({
            service: `--sctp-service ${CHECKS_VIP}:9002`, fault: "systemctl stop lab-sctp", repair: "systemctl start lab-sctp",
            traffic: () => JSON.parse(sh("client", `lab-client sctp ${CHECKS_VIP} 9002 --count 10 --timeout 5`)),
        });
        console.log(`      SCTP + MISC_CHECK: ${summary}`);
    });

    it("uthreshold 3 / lthreshold 2 (scheduler fo, rs1 first): the 4th connection goes to rs2; rs1 takes new ones only below 2", async () => {
        const service = `-t ${CHECKS_VIP}:9000`;
        const rs1 = address("rs1", "front");
        const total = () => { const s = ipvsServers(service)[rs1]; return s ? s.active + s.inactive : -1; };
        const flag = (i: number) => `/tmp/lab-threshold-${process.pid}-${i}`;
        /** Who answers a new connection (closed with a RST: IPVS forgets it after 10 s). */
        const next = () => JSON.parse(sh("client", `lab-client hold ${CHECKS_VIP} 9000 --seconds 0 --reset`)).server as string;
        // ipvsadm 1.31 --thresholds: "-> 10.201.0.21:9000  3  2  0  0" (uthreshold, lthreshold, ActiveConn, InActConn).
        const thresholds = sh("dir1", `ipvsadm -Ln --thresholds ${service}`);
        assert.match(thresholds, new RegExp(`-> ${rs1.replace(/\./g, "\\.")}:9000\\s+3\\s+2\\s`), `IPVS holds rs1's thresholds:\n${thresholds}`);
        sh("client", `rm -f ${flag(1)} ${flag(2)} ${flag(3)}`);
        assert.ok(await waitFor(() => total() === 0, 30_000), `rs1 holds no connection of earlier steps: ${JSON.stringify(ipvsServers(service))}`);
        const held = [1, 2, 3].map((i) => onHostAsync("client", `lab-client hold ${CHECKS_VIP} 9000 --until-file ${flag(i)} --reset --interval 0.5`));
        try {
            assert.ok(await waitFor(() => ipvsServers(service)[rs1]?.active === 3), `rs1 holds 3 connections: ${JSON.stringify(ipvsServers(service))}`);
            const fourth = next();
            assert.equal(fourth, "rs2", "at uthreshold 3, the 4th connection goes to rs2");
            // One closes: 2 left. IPVS's rule without lthreshold (below 3/4 of uthreshold) would take rs1 back here.
            sh("client", `touch ${flag(1)}`);
            assert.ok(await waitFor(() => total() === 2, 30_000), `rs1 down to 2 connections: ${JSON.stringify(ipvsServers(service))}`);
            const atTwo = next();
            assert.equal(atTwo, "rs2", "with 2 connections (not below lthreshold 2) rs1 still takes none");
            sh("client", `touch ${flag(2)}`);
            assert.ok(await waitFor(() => total() === 1, 30_000), `rs1 down to 1 connection: ${JSON.stringify(ipvsServers(service))}`);
            const atOne = next();
            assert.equal(atOne, "rs1", "below lthreshold 2, rs1 takes new connections again");
            console.log(`      thresholds: 3 held on rs1, the 4th went to ${fourth}; at 2 held a new one went to ${atTwo}; at 1 held, to ${atOne}`);
        } finally {
            sh("client", `touch ${flag(1)} ${flag(2)} ${flag(3)}`);
            await Promise.all(held);
            sh("client", `rm -f ${flag(1)} ${flag(2)} ${flag(3)}`);
        }
    });

    it("3+4+1. multicast VRRP blocked: unicast keeps one master; killing it moves both VIPs together, a long-lived connection survives (sync daemon), traffic resumes", async () => {
        for (const d of DIRECTORS) sh(d, BLOCK_VRRP.join(" && "));
        try {
            await sleep(5000);
            for (const vip of [NAT_VIP, V6_VIP]) assert.ok(!onDev("dir2", "eth0", vip), `with multicast blocked the backup still hears the master (no split brain): ${vip}`);
            // Long enough for the sync (up to 15 s on a loaded machine), the failover and the checks after it.
            const held = holds(4, 28);
            // The failover comes once the backup knows every connection the master has (the sync daemon
            // sends them in batches). Compared by client address and port: the backup may still list
            // connections of earlier steps as established.
            const clients = (d: string) => sh(d, "ipvsadm -Lnc").split("\n").filter((l) => l.includes("ESTABLISHED") && l.includes(`${NAT_VIP}:9000`)).map((l) => l.trim().split(/\s+/)[3]!);
            const unsynced = () => { const backup = new Set(clients("dir2")); const master = clients("dir1"); return master.length < 4 ? ["(master has fewer than 4)"] : master.filter((c) => !backup.has(c)); };
            const synced = await waitFor(() => unsynced().length === 0, 15_000);
            const daemons = () => DIRECTORS.map((d) => `${d}: ${sh(d, "ipvsadm -L --daemon").trim().replace(/\n/g, "; ") || "no sync daemon"}`).join(", ");
            assert.ok(synced, `the backup learnt the master's connections from the sync daemon (missing: ${unsynced().join(" ")}; ${daemons()})`);
            const loop = startHttpLoop(`http://${NAT_VIP}/`, { timeout: 1 });
            await sleep(1000);
            const moved = await failover();
            assert.ok(!onDev("dir1", "eth1", INSIDE_VIP) && !onDev("dir1", "eth0", NAT_VIP), "dir1 let both VIPs go");
            await sleep(2000);
            const during = await loop.stop();
            const after = httpRequests(`http://${NAT_VIP}/`, 50);
            const results = (await Promise.all(held)).map((r) => JSON.parse(r.stdout));
            assert.ok(moved.outside <= 4 && moved.inside <= 4, `both VIPs moved within 4 s: ${JSON.stringify(moved)}`);
            assert.equal(after.failures, 0, `traffic resumes through dir2: ${JSON.stringify(after)}`);
            for (const h of results) assert.ok(h.alive, `long-lived connection survived the failover: ${JSON.stringify(h)}`);
            console.log(`      failover: outside VIP ${moved.outside.toFixed(2)} s, inside VIP ${moved.inside.toFixed(2)} s; during it ${during.failures} of ${during.sent} requests failed (longest gap ${during.longest_gap} s); after it 0 of 50; ${results.length} of ${results.length} long-lived connections survived`);
        } finally {
            for (const d of DIRECTORS) sh(d, UNBLOCK_VRRP.join("; "));
            await recover();
        }
    });

    it("4. without the sync daemon the same failover drops the long-lived connection (the test discriminates)", async () => {
        lab.config("syncDaemon", "false");
        lab.up();
        assert.doesNotMatch(sh("dir1", "cat /etc/keepalived/keepalived.conf"), /lvs_sync_daemon/);
        for (const d of DIRECTORS) assert.doesNotMatch(sh(d, "ipvsadm -L --daemon"), /sync daemon/, `${d}: the sync daemons were stopped`);
        const held = holds(2, 15);
        await sleep(4000);
        await failover();
        const results = (await Promise.all(held)).map((r) => JSON.parse(r.stdout));
        for (const h of results) assert.ok(!h.alive, `without sync the connection breaks: ${JSON.stringify(h)}`);
        console.log(`      without lvs_sync_daemon: ${results.filter((h) => !h.alive).length} of ${results.length} long-lived connections broke (${results.map((h) => h.error).join("; ")})`);
        await recover();
    });

    it("track_script + notify: the master losing its uplink hands both VIPs over; notify logs each change", async () => {
        const since = sh("dir1", "date '+%Y-%m-%d %H:%M:%S'").trim();
        // chk_uplink: interval 2 s, fall 3, so FAULT comes 4-6 s after the first failed ping.
        const moved = await timeVipMove({ from: "dir1", to: "dir2", vip: NAT_VIP, iface: "eth0", action: BLOCK_UPLINK, timeoutSec: 20 });
        assert.ok(onDev("dir2", "eth1", INSIDE_VIP) || await waitFor(() => onDev("dir2", "eth1", INSIDE_VIP), 5000), "the inside VIP moved too");
        const notified = (host: string, state: string) => sh(host, `journalctl -t pulumi-lvs-notify --since '${since}' -o cat`).includes(`GROUP VG_eth0_61 ${state}`);
        assert.ok(await waitFor(() => notified("dir1", "FAULT") && notified("dir2", "MASTER"), 10_000), "notify logged FAULT on dir1 and MASTER on dir2");
        sh("dir1", UNBLOCK_UPLINK);
        const back = Date.now();
        assert.ok(await waitFor(() => onDev("dir1", "eth0", NAT_VIP) && !onDev("dir2", "eth0", NAT_VIP), 30_000), "the VIPs return once the uplink is back");
        const res = httpRequests(`http://${NAT_VIP}/`, 20);
        assert.equal(res.failures, 0, JSON.stringify(res));
        console.log(`      track_script: VIPs on dir2 ${moved.toFixed(1)} s after dir1's uplink was cut (interval 2 s x fall 3), back ${((Date.now() - back) / 1000).toFixed(1)} s after it was restored; notify logged FAULT (dir1) and MASTER (dir2)`);
    });

    it("destroy puts back routes, firewall rules, tunl0 and sysctls exactly", () => {
        lab.ok(["destroy", "--yes", "--skip-preview"]);
        for (const d of DIRECTORS) {
            assert.equal(firewall(d), prior[d], `${d}: firewall as before`);
            for (const vip of [NAT_VIP, TUN_VIP, V6_VIP, FWM_VIP, QUORUM_VIP, CHECKS_VIP]) assert.ok(!onDev(d, "eth0", vip));
            assert.equal(sh(d, "ls /etc/pulumi-lvs /etc/systemd/system/pulumi-lvs-* 2>/dev/null || true").trim(), "");
        }
        for (const r of NAT_RS) assert.equal(defaultRoutes(r), prior[r], `${r}: default routes as before`);
        for (const r of TUN_RS) {
            for (const vip of [TUN_VIP, QUORUM_VIP]) assert.ok(!sh(r, "ip -o addr show dev tunl0 2>/dev/null || true").includes(` ${vip}/`), `${r}: ${vip} gone from tunl0`);
            assert.equal(sysctls(r, TUN_SYSCTLS), prior[r], `${r}: sysctls as before`);
        }
        for (const r of V6_RS) for (const vip of [V6_VIP, FWM_VIP, QUORUM_VIP, CHECKS_VIP]) assert.ok(!sh(r, "ip -o addr show dev lo").includes(` ${vip}/`), `${r}: ${vip} gone from lo`);
    });
});
