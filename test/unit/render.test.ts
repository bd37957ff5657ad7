// Every renderer against its golden file, plus the properties the goldens rely on.
import { strict as assert } from "assert";
import { directorPairSchema, pairVipAddresses } from "../../src/model/directorPair";
import { realServerSchema } from "../../src/model/realServer";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { DIRECTOR_SYSCTLS } from "../../src/render/directorSysctls";
import { renderAuthDefinition, renderKeepalivedMain } from "../../src/render/keepalivedMain";
import { renderVirtualService } from "../../src/render/keepalivedService";
import { serviceFile, serviceKey } from "../../src/render/keys";
import { DR_SYSCTLS, expectedState, hostSysctls, renderVipUnit } from "../../src/render/realServerHost";
import { directorSysctls } from "../../src/render/directorSysctls";
import { directorVipExpectations, oneDirectorArpSysctls, renderDirectorVipUnit } from "../../src/render/directorVipUnit";
import { parseFacts, versionAtLeast } from "../../src/render/facts";
import { renderNatRules, renderRealServerRules, renderServiceRules } from "../../src/render/firewall";
import { ipvsServiceArgs } from "../../src/remote/keepalivedFile";
import { mergeSysctls, renderSysctlFile } from "../../src/render/sysctl";
import { assertGolden } from "./golden";

const pair = directorPairSchema.parse({ interface: "eth0", vips: ["10.201.0.100", "10.201.0.101/24"], vrrp: { virtualRouterId: 51 } });
const service = virtualServiceSchema.parse({
    vip: "10.201.0.100",
    port: 80,
    scheduler: "wrr",
    persistenceTimeout: 300,
    healthCheck: { type: "TCP", connectTimeout: 2 },
    realServers: [
        { address: "10.201.0.23", weight: 1 },
        { address: "10.201.0.21", weight: 3, healthCheck: { type: "TCP", port: 8080, retry: 5 } },
        { address: "10.201.0.22", weight: 0 },
    ],
});

describe("renderers", () => {
    it("keepalived.conf of the primary director", () => {
        assertGolden("keepalived-primary.conf", renderKeepalivedMain("lb", pair, "primary"));
    });

    it("keepalived.conf of the secondary director", () => {
        assertGolden("keepalived-secondary.conf", renderKeepalivedMain("lb", pair, "secondary"));
    });

    it("one director (no VRRP): keepalived.conf, its VIPs on lo in a unit, and its sysctls (ARP answered for lo)", () => {
        const one = directorPairSchema.parse({ interface: "eth0", vips: ["10.201.0.100/24", "10.201.0.101"], inside: { interface: "eth1", vips: ["10.202.0.1"] }, emailAlerts: { to: ["ops@example.com"], smtpServer: { host: "10.200.0.50" } } });
        assertGolden("keepalived-one-director.conf", renderKeepalivedMain("solo", one, "primary"));
        assertGolden("vip-unit-one-director.service", renderDirectorVipUnit("solo", one));
        assert.deepEqual(directorVipExpectations(one), ["lo=10.201.0.100/32", "lo=10.201.0.101/32", "lo=10.202.0.1/32"]);
        assertGolden("sysctl-one-director.conf", renderSysctlFile('LvsDirectorPair "solo"', mergeSysctls(directorSysctls(one), one.sysctls)));
        assert.deepEqual(oneDirectorArpSysctls(one).map((s) => `${s.key}=${s.value}`), ["net.ipv4.conf.all.arp_ignore=0", "net.ipv4.conf.eth0.arp_ignore=0", "net.ipv4.conf.eth1.arp_ignore=0"]);
        const walled = directorPairSchema.parse({ interface: "eth0", vips: ["10.201.0.100"], firewall: true });
        assert.deepEqual(renderNatRules("solo", walled)!.split("\n").filter((l) => / INPUT /.test(l)), ["4 filter INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"], "no VRRP rule without VRRP");
    });

    it("keepalived.conf with nopreempt (both BACKUP) and preempt_delay", () => {
        const np = directorPairSchema.parse({ interface: "eth1", vips: ["fd00:201::100"], vrrp: { virtualRouterId: 7, advertInt: 2, nopreempt: true, priorities: { primary: 200, secondary: 50 } } });
        assertGolden("keepalived-nopreempt.conf", renderKeepalivedMain("edge", np, "primary"));
    });

    it("keepalived.conf of a NAT pair: outside + inside, IPv4 + IPv6, unicast, tracking, notify, sync daemon", () => {
        const full = directorPairSchema.parse({
            interface: "eth0",
            vips: ["10.201.0.100", "fd00:201::100"],
            inside: { interface: "eth1", vips: ["10.202.0.100/24"], virtualRouterId: 52, masquerade: ["10.202.0.0/24"] },
            lvsSyncDaemon: { interface: "eth1", syncId: 7 },
            vrrp: {
                virtualRouterId: 51, preemptDelay: 10, unicast: true,
                trackInterfaces: ["eth0", "eth1"],
                trackScripts: [{ name: "chk_web", command: "/usr/local/bin/check-web --quick", interval: 3 }],
                notify: { master: "/usr/local/bin/lvs-notify master", any: "/usr/local/bin/lvs-notify" },
            },
        });
        const facts = {
            primary: parseFacts("keepalived 2.2.7\naddr eth0 10.201.0.11/24\naddr eth0 10.201.0.100/32\naddr eth0 fd00:201::11/64\naddr eth1 10.202.0.11/24\n", pairVipAddresses(full)),
            secondary: parseFacts("keepalived 2.2.7\naddr eth0 10.201.0.12/24\naddr eth0 fd00:201::12/64\naddr eth1 10.202.0.12/24\n", pairVipAddresses(full)),
        };
        assertGolden("keepalived-nat-full-primary.conf", renderKeepalivedMain("lb", full, "primary", facts));
        assertGolden("keepalived-nat-full-secondary.conf", renderKeepalivedMain("lb", full, "secondary", facts));
        assertGolden("fw-nat-lb.rules", renderNatRules("lb", full)!);
        assertGolden("sysctl-director-nat.conf", renderSysctlFile('LvsDirectorPair "lb"', directorSysctls(full)));
        assert.throws(() => renderKeepalivedMain("lb", full, "primary"), /unicast VRRP needs the primary director's IPv4 address on eth0/);
    });

    it("NAT on one NIC: forwarding without redirects, the real servers' own connections SNATed to their VIP", () => {
        const one = directorPairSchema.parse({
            interface: "eth0",
            vips: ["10.201.0.120", "fd00:201::120"],
            vrrp: { virtualRouterId: 61 },
            oneNicNat: { snat: ["10.201.0.21", "10.201.0.22", "fd00:201::/64"] },
        });
        assertGolden("fw-nat-one-nic.rules", renderNatRules("one", one)!);
        assertGolden("sysctl-director-nat-one-nic.conf", renderSysctlFile('LvsDirectorPair "one"', directorSysctls(one)));
        const vlan = directorPairSchema.parse({ interface: "eth0.100", vips: ["10.1.0.5"], vrrp: { virtualRouterId: 1 }, oneNicNat: { sourceVip: "10.1.0.5" } });
        assert.deepEqual(directorSysctls(vlan).filter((s) => s.key.includes("redirects")).map((s) => s.key), ["net.ipv4.conf.all.send_redirects", "net.ipv4.conf.eth0/100.send_redirects"]);
        assert.equal(renderNatRules("vlan", vlan)!.split("\n").filter((l) => /^\d/.test(l)).length, 0, "no SNAT without snat sources");
    });

    it("firewall: true opens the directors' INPUT for VRRP on each VIP NIC and family, the sync daemon and their own connections' answers; nothing without it", () => {
        const open = directorPairSchema.parse({
            interface: "eth0", vips: ["10.201.0.100", "fd00:201::100"], vrrp: { virtualRouterId: 51, unicast: true },
            lvsSyncDaemon: { interface: "eth2" }, firewall: true,
        });
        assertGolden("fw-pair-firewall.rules", renderNatRules("edge", open)!);
        assert.equal(renderNatRules("edge", { ...open, firewall: false }), undefined);
        // With NAT: the NAT rules, then the INPUT rules (the inside NIC carries IPv4 VRRP too).
        const nat = directorPairSchema.parse({
            interface: "eth0", vips: ["10.201.0.100"], vrrp: { virtualRouterId: 51 }, firewall: true,
            inside: { interface: "eth1", vips: ["10.202.0.1/24"], masquerade: ["10.202.0.0/24"] },
        });
        const rules = renderNatRules("lb", nat)!.split("\n").filter((l) => /^\d/.test(l));
        assert.deepEqual(rules.filter((l) => l.includes(" INPUT ")), [
            "4 filter INPUT -i eth0 -p 112 -j ACCEPT",
            "4 filter INPUT -i eth1 -p 112 -j ACCEPT",
            "4 filter INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        ]);
        assert.equal(rules.filter((l) => !l.includes(" INPUT ")).length, 3, "the masquerade rules stay");
    });

    it("keepalived.conf with e-mail alerts, the names people monitor (router_id, instances, sync group) and the global_defs tunables", () => {
        const mail = directorPairSchema.parse({
            interface: "eth0",
            vips: ["10.201.0.100", "fd00:201::100"],
            inside: { interface: "eth1", vips: ["10.202.0.100/24"], virtualRouterId: 52, instanceName: "LAN_GW" },
            vrrp: { virtualRouterId: 51, smtpAlert: true, instanceName: "VI_1", instanceNameV6: "VI_1_v6", syncGroupName: "LB_GROUP" },
            emailAlerts: { to: ["ops@example.com", "oncall+lvs@example.org"], from: "lvs@lb.example.com", smtpServer: { host: "10.201.0.25", port: 2525 }, smtpConnectTimeout: 10 },
            globalDefs: { routerIds: { primary: "LVS_MAIN", secondary: "LVS_BACKUP" }, vrrpGarpInterval: 0.001, vrrpGnaInterval: 0.000001, vrrpSkipCheckAdvAddr: true },
            lvsSyncDaemon: { interface: "eth1" },
        });
        assertGolden("keepalived-email-names-primary.conf", renderKeepalivedMain("lb", mail, "primary"));
        const secondary = renderKeepalivedMain("lb", mail, "secondary");
        assert.match(secondary, /\n    router_id LVS_BACKUP\n/);
        assert.match(secondary, /\n    lvs_sync_daemon eth1 VI_1 id 0\n/, "the sync daemon follows the first instance's name");
        // One instance: smtp_alert goes on it (as notify does); nothing is written for what is unset.
        const one = directorPairSchema.parse({ interface: "eth0", vips: ["10.201.0.100"], vrrp: { virtualRouterId: 51, smtpAlert: false }, emailAlerts: { to: ["ops@example.com"], smtpServer: { host: "FD00::25" } } });
        const text = renderKeepalivedMain("lb", one, "primary");
        assert.match(text, /\n    notification_email \{\n        ops@example\.com\n    \}\n    smtp_server fd00::25\n\}\n/);
        assert.match(text, /vrrp_instance VI_eth0_51 \{\n[^]*\n    smtp_alert no\n    virtual_ipaddress \{/);
        assert.doesNotMatch(text, /notification_email_from|smtp_connect_timeout|vrrp_garp|vrrp_gna|vrrp_skip|vrrp_strict|vrrp_sync_group/);
        assert.match(renderKeepalivedMain("lb", directorPairSchema.parse(pair), "primary"), /global_defs \{\n    router_id lb-primary\n    enable_script_security\n    script_user root\n\}/, "a pair without them writes what it wrote before");
    });

    it("keepalived.conf under vrrp_strict (acknowledged): both directors BACKUP, no password authentication", () => {
        const strict = directorPairSchema.parse({
            interface: "eth0", vips: ["10.201.0.100", "fe80::100/64", "fd00:201::100"], vrrp: { virtualRouterId: 51 },
            globalDefs: { vrrpStrict: true, vrrpStrictAcknowledged: true },
        });
        assertGolden("keepalived-strict-primary.conf", renderKeepalivedMain("lb", strict, "primary"));
        assert.doesNotMatch(renderKeepalivedMain("lb", strict, "secondary"), /authentication|state MASTER/);
    });

    it("unicast addresses given per director and NIC win over the facts; other NICs are read from the hosts", () => {
        const pair = directorPairSchema.parse({
            interface: "eth0",
            vips: ["10.201.0.100", "fd00:201::100"],
            inside: { interface: "eth1", vips: ["10.202.0.100/24"], virtualRouterId: 52 },
            vrrp: { virtualRouterId: 51, unicast: true, unicastAddresses: { primary: { eth0: ["10.201.0.31", "fe80::11"] }, secondary: { eth0: ["fe80::12", "10.201.0.32"] } } },
        });
        // eth0 has two IPv4 addresses and only a link-local IPv6 one (which facts leave out).
        const facts = {
            primary: parseFacts("keepalived 2.2.7\naddr eth0 10.201.0.11/24\naddr eth0 10.201.0.31/24\naddr eth1 10.202.0.11/24\n", pairVipAddresses(pair)),
            secondary: parseFacts("keepalived 2.2.7\naddr eth0 10.201.0.12/24\naddr eth0 10.201.0.32/24\naddr eth1 10.202.0.12/24\n", pairVipAddresses(pair)),
        };
        const unicast = (text: string) => [...text.matchAll(/vrrp_instance (\S+) \{[^]*?unicast_src_ip (\S+)\n\s+unicast_peer \{\n\s+(\S+)/g)].map((m) => `${m[1]} ${m[2]} -> ${m[3]}`);
        assert.deepEqual(unicast(renderKeepalivedMain("lb", pair, "primary", facts)), ["VI_eth0_51 10.201.0.31 -> 10.201.0.32", "VI_eth0_51_v6 fe80::11 -> fe80::12", "VI_eth1_52 10.202.0.11 -> 10.202.0.12"]);
        assert.deepEqual(unicast(renderKeepalivedMain("lb", pair, "secondary", facts)), ["VI_eth0_51 10.201.0.32 -> 10.201.0.31", "VI_eth0_51_v6 fe80::12 -> fe80::11", "VI_eth1_52 10.202.0.12 -> 10.202.0.11"]);
        const withoutV6 = directorPairSchema.parse({ ...pair, vrrp: { ...pair.vrrp, unicastAddresses: undefined } });
        assert.throws(() => renderKeepalivedMain("lb", withoutV6, "primary", facts), /needs the primary director's IPv6 address on eth0: the host has no global one; give it in vrrp\.unicastAddresses\.primary\.eth0/);
    });

    it("unicast adverts never come from a VIP of the pair, whatever its prefix, even when the host lists it first", () => {
        const pair = directorPairSchema.parse({
            interface: "eth0",
            vips: ["10.201.0.100/24", "FD00:201::100/64"],
            inside: { interface: "eth1", vips: ["10.202.0.100/24"], virtualRouterId: 52 },
            vrrp: { virtualRouterId: 51, unicast: true },
        });
        // Linux lists IPv6 addresses newest first: the VIPs keepalived holds come before the host's own.
        // fd00:201::200/64 is a VIP of the keepalived.conf in force (an earlier VIP list), named by a "vip" line.
        const host = (n: number) => `keepalived 2.2.7\nvip 10.201.0.100/24\nvip fd00:201::200/64\naddr eth0 fd00:201::200/64\naddr eth0 fd00:201::100/64\naddr eth0 fd00:201::${n}/64\naddr eth0 10.201.0.100/24\naddr eth0 10.201.0.${n}/24\naddr eth1 10.202.0.100/24\naddr eth1 10.202.0.${n}/24\n`;
        const facts = { primary: parseFacts(host(11), pairVipAddresses(pair)), secondary: parseFacts(host(12), pairVipAddresses(pair)) };
        assert.deepEqual(facts.primary.addresses, { eth0: ["fd00:201::11", "10.201.0.11"], eth1: ["10.202.0.11"] });
        const unicast = (text: string) => [...text.matchAll(/vrrp_instance (\S+) \{[^]*?unicast_src_ip (\S+)\n\s+unicast_peer \{\n\s+(\S+)/g)].map((m) => `${m[1]} ${m[2]} -> ${m[3]}`);
        assert.deepEqual(unicast(renderKeepalivedMain("lb", pair, "primary", facts)), ["VI_eth0_51 10.201.0.11 -> 10.201.0.12", "VI_eth0_51_v6 fd00:201::11 -> fd00:201::12", "VI_eth1_52 10.202.0.11 -> 10.202.0.12"]);
    });

    it("auth_hmac: keepalived 2.4's block with the key's definition name (never the key), on IPv4 and IPv6 instances, without the legacy authentication", () => {
        const hmac = directorPairSchema.parse({ interface: "eth0", vips: ["10.0.0.10", "fd00::10"], vrrp: { virtualRouterId: 9, authType: "HMAC" } });
        const text = renderKeepalivedMain("lb", hmac, "primary");
        const block = "    auth_hmac {\n        key 1 $PULUMI_LVS_AUTH_PASS\n        active_key 1\n    }\n";
        assert.equal(text.split(block).length - 1, 2, text);
        assert.doesNotMatch(text, /authentication|auth_type|auth_pass/);
    });

    it("facts: versions compare numerically; VIPs and prefix-less lines are ignored", () => {
        assert.ok(versionAtLeast("2.4.0", "2.4"));
        assert.ok(versionAtLeast("2.10.1", "2.4"));
        assert.ok(!versionAtLeast("2.2.7", "2.4"));
        assert.deepEqual(parseFacts("keepalived 2.2.7\naddr eth0 10.0.0.1/24\naddr eth0 10.0.0.100/32\naddr lo0 fd00::1/128\n", []), { keepalivedVersion: "2.2.7", addresses: { eth0: ["10.0.0.1"] } });
    });

    it("the main config never holds the password, only its definition's name", () => {
        const text = renderKeepalivedMain("lb", pair, "primary");
        assert.match(text, /auth_pass \$PULUMI_LVS_AUTH_PASS/);
        assert.equal(renderAuthDefinition("s3cr3t"), "# Managed by pulumi-lvs: the VRRP password, used as $PULUMI_LVS_AUTH_PASS in keepalived.conf.\n$PULUMI_LVS_AUTH_PASS=s3cr3t\n");
    });

    it("one virtual_server include file, real servers in address order", () => {
        assertGolden("service-web.conf", renderVirtualService("web", service));
        assert.equal(serviceKey(service), "10.201.0.100:80/tcp");
        assert.equal(serviceFile(service), "/etc/keepalived/pulumi-lvs/services/tcp_10-201-0-100_80.conf");
    });

    it("reordering real servers changes nothing", () => {
        const reversed = virtualServiceSchema.parse({ ...service, realServers: [...service.realServers].reverse() });
        assert.equal(renderVirtualService("web", reversed), renderVirtualService("web", service));
    });

    it("a check writes only the timing the user set (keepalived's defaults apply to the rest), fractions as keepalived reads them", () => {
        const plain = virtualServiceSchema.parse({ ...service, delayLoop: 2.5, healthCheck: { type: "TCP" }, realServers: [{ address: "10.201.0.21" }] });
        assert.match(renderVirtualService("web", plain), /\n    delay_loop 2\.5\n[^]*\n        TCP_CHECK \{\n        \}\n/);
        assert.doesNotMatch(renderVirtualService("web", plain), /connect_timeout|retry/);
        const tiny = virtualServiceSchema.parse({ ...plain, healthCheck: { type: "TCP", connectTimeout: 0.000001, delayBeforeRetry: 0, delayLoop: 1.25 } });
        assert.match(renderVirtualService("web", tiny), /TCP_CHECK \{\n            connect_timeout 0\.000001\n            delay_before_retry 0\n            delay_loop 1\.25\n        \}/);
    });

    it("every health check kind, with its timing options", () => {
        const kinds = virtualServiceSchema.parse({
            vip: "10.201.0.100", port: 80, scheduler: "sh", schedulerFlags: ["sh-port", "sh-fallback"], mode: "NAT",
            persistenceTimeout: 600, persistenceGranularity: 24, quorum: 2, hysteresis: 1, inhibitOnFailure: true,
            sorryServer: { address: "10.202.0.99", port: 8080 },
            healthCheck: { type: "HTTP", path: "/health", statusCode: 200, delayLoop: 3 },
            realServers: [
                { address: "10.202.0.31", port: 8080, weight: 2, upperThreshold: 100, lowerThreshold: 80 },
                { address: "10.202.0.32", port: 8080, healthCheck: { type: "HTTPS", path: "/", digest: "9b3a0c85a887a256d6939da88aabd8cd", virtualHost: "www.example.com", smtpAlert: false } },
                { address: "10.202.0.33", port: 8080, inhibitOnFailure: false, healthCheck: { type: "MISC", command: "/usr/local/bin/check-rs 10.202.0.33", timeout: 5, dynamic: true } },
                { address: "10.202.0.34", port: 53, healthCheck: { type: "DNS", queryType: "A", name: "example.com", smtpAlert: true } },
                { address: "10.202.0.35", port: 9001, healthCheck: { type: "UDP", requireReply: true, connectTimeout: 0.5, retry: 2, delayBeforeRetry: 0.25 } },
                { address: "10.202.0.36", port: 8080, drain: true, weight: 5, healthCheck: { type: "PING", retry: 1 } },
            ],
        });
        assertGolden("service-all-checks.conf", renderVirtualService("api", kinds));
        // NAT: the replies of each real server (from its own port) and of the sorry server.
        assertGolden("fw-service-api.rules", renderServiceRules("api", kinds, "eth1")!);
    });

    it("firewall rules of a service: none for DR; an IPv6 fwmark NAT service opens the mark's ports as sources", () => {
        assert.equal(renderServiceRules("web", service, "eth1"), undefined);
        const v6 = virtualServiceSchema.parse({ fwmark: { mark: 6, vip: "fd00:201::100", ports: [443, 80] }, mode: "NAT", realServers: [{ address: "fd00:202::32" }, { address: "fd00:202::31" }] });
        assertGolden("fw-fwmark-6-nat-v6.rules", renderServiceRules("webs6", v6, "eth1")!);
    });

    it("on a pair with firewall: true a service opens its VIP and port (an fwmark service, its mark's ports), in the service's own set", () => {
        assertGolden("fw-service-input.rules", renderServiceRules("web", service, "eth0", true)!);
        const fwm = virtualServiceSchema.parse({ fwmark: { mark: 7, vip: "fd00:201::100", ports: [443, 80] }, mode: "NAT", realServers: [{ address: "fd00:202::31" }] });
        const input = renderServiceRules("webs", fwm, "eth1", true)!.split("\n").filter((l) => l.includes(" INPUT "));
        assert.deepEqual(input, ["6 filter INPUT -d fd00:201::100/128 -p tcp -m multiport --dports 80,443 -j ACCEPT"]);
        assert.equal(renderServiceRules("web", service, "eth0", false), undefined);
    });

    it("a RealServer's firewall: its ports in each family it serves, ipip in TUN mode; nothing without it", () => {
        const ports = { ports: [{ port: 80 }, { port: 53, protocol: "UDP" }, { port: 8080 }] };
        assertGolden("fw-rs-tun.rules", renderRealServerRules("rs6", realServerSchema.parse({ mode: "TUN", vips: ["10.201.0.100", "fd00:201::100"], firewall: ports }))!);
        const nat = renderRealServerRules("rs4", realServerSchema.parse({ mode: "NAT", gateway: "10.202.0.1", firewall: { ports: [{ port: 80 }] } }))!;
        assert.deepEqual(nat.split("\n").filter((l) => /^\d/.test(l)), ["4 filter INPUT -p tcp --dport 80 -j ACCEPT"]);
        assert.equal(renderRealServerRules("rs1", realServerSchema.parse({ mode: "DR", vips: ["10.201.0.100"] })), undefined);
    });

    it("UDP with one-packet scheduling, and an fwmark service with its mark rule", () => {
        const udp = virtualServiceSchema.parse({ vip: "10.201.0.100", port: 9001, protocol: "UDP", ops: true, scheduler: "rr", healthCheck: { type: "UDP" }, realServers: [{ address: "10.201.0.21" }] });
        assertGolden("service-udp-ops.conf", renderVirtualService("dns", udp));
        // Without a healthCheck a UDP service gets UDP_CHECK (accepted by keepalived 2.2.7 -t): a TCP check would fail.
        const udpDefault = virtualServiceSchema.parse({ vip: "10.201.0.100", port: 9001, protocol: "UDP", realServers: [{ address: "10.201.0.21" }] });
        assertGolden("service-udp-default.conf", renderVirtualService("dns", udpDefault));
        const fwm = virtualServiceSchema.parse({ fwmark: { mark: 5, vip: "10.201.0.100", ports: [443, 80] }, scheduler: "mh", schedulerFlags: ["mh-port"], persistenceTimeout: 60, realServers: [{ address: "10.201.0.21" }, { address: "10.201.0.22" }] });
        assertGolden("service-fwmark.conf", renderVirtualService("webs", fwm));
        assertGolden("fw-fwmark-5.rules", renderServiceRules("webs", fwm, "eth0")!);
        assert.equal(serviceKey(fwm), "fwmark 5");
        assert.equal(serviceFile(fwm), "/etc/keepalived/pulumi-lvs/services/fwm_5.conf");
        assert.equal(ipvsServiceArgs("TCP", "10.201.0.100", 0, 5), "-f 5");
    });

    it("SCTP with a check per real server: an SCTP probe (MISC) names each server's address, so no service-wide check is needed", () => {
        const probe = (a: string) => ({ type: "MISC", command: `/usr/local/bin/sctp-probe ${a} 9002`, timeout: 3 });
        const sctp = virtualServiceSchema.parse({ vip: "10.201.0.114", port: 9002, protocol: "SCTP", scheduler: "rr",
            realServers: ["10.201.0.22", "10.201.0.21"].map((a) => ({ address: a, healthCheck: probe(a) })) });
        assertGolden("service-sctp-misc-per-server.conf", renderVirtualService("sctp", sctp));
    });

    it("an empty pool with a sorry server: the sorry server is the only real server (keepalived 2.2.7 -t rejects a virtual_server without any)", () => {
        const empty = virtualServiceSchema.parse({ vip: "10.201.0.100", port: 80, sorryServer: { address: "10.201.0.99", port: 8080 }, mode: "NAT", realServers: [] });
        assertGolden("service-empty-sorry.conf", renderVirtualService("web", empty));
        const fwm = virtualServiceSchema.parse({ fwmark: { mark: 5, vip: "10.201.0.100", ports: [80] }, sorryServer: { address: "10.201.0.99" }, realServers: [] });
        assert.match(renderVirtualService("webs", fwm), /\n    real_server 10\.201\.0\.99 \{\n        weight 1\n    \}\n\}\n$/);
    });

    it("sysctl.d files, sorted, each key with its reason", () => {
        assertGolden("sysctl-director.conf", renderSysctlFile('LvsDirectorPair "lb"', mergeSysctls(DIRECTOR_SYSCTLS, { "net.ipv4.ip_forward": 1 })));
        assertGolden("sysctl-rs-dr.conf", renderSysctlFile('RealServer "rs1" (DR)', DR_SYSCTLS));
    });

    it("user sysctls override the defaults", () => {
        const merged = mergeSysctls(DIRECTOR_SYSCTLS, { "net.ipv4.vs.expire_nodest_conn": 0 });
        assert.equal(merged.find((s) => s.key === "net.ipv4.vs.expire_nodest_conn")!.value, "0");
    });

    it("the TUN unit brings tunl0 up with the VIPs; the NAT unit sets the default route", () => {
        const tun = realServerSchema.parse({ mode: "TUN", vips: ["10.201.0.100"] });
        assertGolden("vip-unit-rs6-tun.service", renderVipUnit("rs6", tun, "/etc/sysctl.d/90-pulumi-lvs-rs-rs6.conf"));
        assertGolden("sysctl-rs-tun.conf", renderSysctlFile('RealServer "rs6" (TUN)', hostSysctls(tun)));
        assert.deepEqual(expectedState(tun), ["tunl0=10.201.0.100/32"]);
        const nat = realServerSchema.parse({ mode: "NAT", gateway: "10.202.0.100" });
        assertGolden("route-unit-rs4-nat.service", renderVipUnit("rs4", nat));
        assert.deepEqual(expectedState(nat), []);
    });

    it("the DR VIP unit puts every VIP on lo and takes it off on stop", () => {
        assertGolden("vip-unit-rs1.service", renderVipUnit("rs1", realServerSchema.parse({ mode: "DR", vips: ["10.201.0.101", "10.201.0.100", "fd00:201::100"] })));
    });
});
