// Every host object has one owner (issue 13): renames, replacements, port swaps, mode changes, a second
// stack and a keepalived that ran before pulumi-lvs, each with real `pulumi up`s on the lab, checked on
// the hosts and with traffic through the VIP. Step 4b proves NAT on one NIC (issue 18) on the same deploy.
import { strict as assert } from "assert";
import * as path from "path";
import { address, directorPackagesFromAdmin, firewallRules, httpRequests, onHostAsync, sh, startHttpLoop } from "../../lab/helpers";
import { LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "test", "fixtures", "ownership");
const VIP = "10.201.0.100";
const URL = `http://${VIP}/`;
const DIRECTORS = ["dir1", "dir2"];
const RS_SYSCTLS = ["net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.lo.arp_ignore", "net.ipv4.conf.all.arp_announce", "net.ipv4.conf.lo.arp_announce"];
const PASSWORD = "e2eOwnp1";
// A keepalived that runs on dir1 before pulumi-lvs: one service of its own, and no VRRP.
const OWN_CONF = "# the host's own keepalived, from before pulumi-lvs\nvirtual_server 10.201.0.99 8080 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n    real_server 10.201.0.21 8080 {\n    }\n}\n";
const ONE_NIC_SYSCTLS = ["net.ipv4.ip_forward", "net.ipv4.conf.all.send_redirects", "net.ipv4.conf.eth0.send_redirects"];
/** ICMP redirects this host has sent since boot (/proc/net/snmp, Icmp: OutRedirects). */
const redirectsSent = (host: string) => {
    const [names, values] = sh(host, "grep '^Icmp:' /proc/net/snmp").trim().split("\n").map((l) => l.split(/\s+/));
    return Number(values![names!.indexOf("OutRedirects")]);
};
/** A director's forwarding and redirect settings, and every pulumi-lvs chain or jump in its firewall (tables a test loads stay listed once loaded). */
const natState = (d: string) => sh(d, `sysctl ${ONE_NIC_SYSCTLS.join(" ")}`) + firewallRules(d).split("\n").filter((l) => l.includes("PLVS")).join("\n");

const sysctls = (host: string) => sh(host, `sysctl ${RS_SYSCTLS.join(" ")}`);
const onLo = (host: string, vip = VIP) => sh(host, "ip -o addr show dev lo").includes(` ${vip}/32 `);
const defaultRoutes = (host: string) => sh(host, "ip route show default; ip -6 route show default");
const realServersOf = (d: string, port: number) => sh(d, `ipvsadm -Ln -t ${VIP}:${port} 2>/dev/null || true`).split("\n").filter((l) => l.includes("->") && /\d+\.\d+\.\d+\.\d+:\d+\s+Route/.test(l)).length;
const active = (host: string) => sh(host, "systemctl is-active keepalived || true").trim();
const enabled = (host: string) => sh(host, "systemctl is-enabled keepalived 2>/dev/null || true").trim();
const installed = (host: string, pkg: string) => sh(host, `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null || true`).includes("install ok installed");
const claims = (host: string) => sh(host, "cat /var/lib/pulumi-lvs/claims/*/.key 2>/dev/null | sort || true").trim();
const noFailures = (what: string, r: { sent: number; failures: number }) => {
    assert.ok(r.sent > 0, `${what}: no request was sent`);
    assert.equal(r.failures, 0, `${what}: ${JSON.stringify(r)}`);
    console.log(`      ${what}: ${r.sent} requests, ${r.failures} failed`);
};

describe("one owner per host object: renames, swaps, mode changes, two stacks, a keepalived from before (and NAT on one NIC, on the same deploy)", function () {
    this.timeout(1_200_000);
    let a: LabStack;
    let b: LabStack;
    const prior: Record<string, string> = {};
    const dir2HadKeepalived = { value: false };

    before(async () => {
        // dir1 runs its own keepalived before pulumi-lvs comes.
        await directorPackagesFromAdmin(DIRECTORS);
        sh("dir1", "cat > /etc/keepalived/keepalived.conf && systemctl enable -q keepalived && systemctl restart keepalived", { input: OWN_CONF });
        assert.match(sh("dir1", "sleep 1; ipvsadm -Ln"), /10\.201\.0\.99:8080/);
        dir2HadKeepalived.value = installed("dir2", "keepalived");
        prior.rs1 = sysctls("rs1");
        prior.rs4 = defaultRoutes("rs4");
        prior.rs3 = defaultRoutes("rs3");
        for (const d of DIRECTORS) prior[d] = natState(d);
        a = LabStack.create(program, `e2e-own-a-${process.pid}`, {}, { vrrpPassword: PASSWORD });
        b = LabStack.create(program, `e2e-own-b-${process.pid}`, { pair: "" }, { vrrpPassword: PASSWORD });
    });

    after(() => {
        b?.remove();
        a?.remove();
        // dir1's own keepalived stopped and its configuration gone; the packages stay (directorPackagesFromAdmin).
        sh("dir1", "systemctl disable -q --now keepalived 2>/dev/null; rm -f /etc/keepalived/keepalived.conf; true");
    });

    it("1. up over the host's own keepalived: the pair, a service and two real servers carry traffic", () => {
        a.up();
        for (const d of DIRECTORS) assert.equal(realServersOf(d, 80), 2, `${d}: 2 real servers on :80`);
        noFailures("after up", httpRequests(URL, 40));
    });

    it("2. renaming the pair, the VirtualService and a RealServer in one up undoes nothing: 0 failed requests, no change left", async () => {
        a.config("pair", "own2");
        a.config("services", JSON.stringify({ web2: 80 }));
        a.config("realServers", JSON.stringify({ rs1b: { host: "rs1", mode: "DR" }, rs2: { host: "rs2", mode: "DR" } }));
        const loop = startHttpLoop(URL);
        a.up();
        noFailures("during the renames", await loop.stop());
        const owners = sh("dir1", "head -qn1 /var/lib/pulumi-lvs/claims/file%20%2Fetc%2Fkeepalived%2Fkeepalived.conf/[0-9a-f]*");
        assert.match(owners, /^urn:pulumi:e2e-own-a-\d+::lvs-ownership::pulumi-lvs:index:LvsDirectorPair\$command:remote:Command::own2-primary-keepalived\n$/, "keepalived.conf has one owner: the renamed pair");
        for (const d of DIRECTORS) {
            assert.equal(active(d), "active", `${d}: keepalived runs`);
            assert.ok(installed(d, "keepalived") && installed(d, "ipvsadm"), `${d}: keepalived and ipvsadm stay installed`);
            assert.equal(sh(d, "test -f /etc/keepalived/pulumi-lvs/auth.conf && echo yes || echo no").trim(), "yes", `${d}: auth.conf stays`);
            assert.equal(realServersOf(d, 80), 2, `${d}: 2 real servers on :80`);
        }
        assert.ok(onLo("rs1"), "rs1 keeps the VIP on lo");
        assert.match(sysctls("rs1"), /net\.ipv4\.conf\.all\.arp_ignore = 1/);
        a.ok(["preview", "--expect-no-changes"]);
        noFailures("after the renames", httpRequests(URL, 40));
    });

    it("3. two VirtualServices swapping ports in one up: both ports keep a service with its real servers", () => {
        a.config("services", JSON.stringify({ web2: 80, hold: 9000 }));
        a.up();
        a.config("services", JSON.stringify({ web2: 9000, hold: 80 }));
        a.up();
        for (const d of DIRECTORS) for (const port of [80, 9000]) assert.equal(realServersOf(d, port), 2, `${d}: 2 real servers on :${port}`);
        a.ok(["preview", "--expect-no-changes"]);
        noFailures("after the swap", httpRequests(URL, 40));
    });

    it("3b. `pulumi up --replace` of every host command (a second instance, then the first one's delete) undoes nothing: 0 failed requests", async () => {
        const state = JSON.parse(a.ok(["stack", "export"]).stdout) as { deployment: { resources: { urn: string; type: string }[] } };
        const urns = state.deployment.resources.filter((r) => r.type === "command:remote:Command").map((r) => r.urn);
        assert.ok(urns.length >= 10, `the stack has its host commands (${urns.length})`);
        const loop = startHttpLoop(URL);
        const up = a.ok(["up", "--yes", "--skip-preview", ...urns.flatMap((u) => ["--replace", u])]);
        noFailures("during the replacements", await loop.stop());
        assert.match(up.stdout, new RegExp(`${urns.length} replaced`));
        for (const d of DIRECTORS) {
            assert.equal(active(d), "active", `${d}: keepalived runs`);
            for (const port of [80, 9000]) assert.equal(realServersOf(d, port), 2, `${d}: 2 real servers on :${port}`);
        }
        assert.ok(onLo("rs1"), "rs1 keeps the VIP on lo");
        assert.match(sysctls("rs1"), /net\.ipv4\.conf\.all\.arp_ignore = 1/);
        a.ok(["preview", "--expect-no-changes"]);
        noFailures("after the replacements", httpRequests(URL, 40));
    });

    it("4. a RealServer changed from NAT to DR, then removed: the default routes from before come back, nothing stale is left", () => {
        const rs4 = (mode?: "NAT" | "DR") => a.config("realServers", JSON.stringify({
            rs1b: { host: "rs1", mode: "DR" }, rs2: { host: "rs2", mode: "DR" }, ...(mode ? { rs4: { host: "rs4", mode } } : {}),
        }));
        rs4("NAT");
        a.up();
        assert.match(sh("rs4", "ip route show default"), /via 10\.202\.0\.100 /);
        rs4("DR");
        a.up();
        assert.equal(defaultRoutes("rs4"), prior.rs4, "rs4: the default routes from before NAT");
        assert.ok(onLo("rs4"), "rs4: the VIP on lo (DR)");
        assert.doesNotMatch(claims("rs4"), /route/, "no route claim left");
        rs4();
        a.up();
        assert.ok(!onLo("rs4"), "rs4: no VIP left");
        assert.equal(defaultRoutes("rs4"), prior.rs4);
        assert.equal(claims("rs4"), "", "rs4: no claim left");
    });

    it("4b. NAT on one NIC on the same pair (oneNicNat, rs3 routed through the VIP): a client on another segment is served from the VIP, one on the same segment is not, rs3's own connections leave as the VIP, no redirect is sent (step 5's destroy puts everything back)", async () => {
        const NAT_URL = `http://${VIP}:8080/`;
        const rs6 = address("rs6", "remote");
        a.config("oneNicNat", "true");
        a.up();
        for (const d of DIRECTORS) {
            assert.match(sh(d, `sysctl ${ONE_NIC_SYSCTLS.join(" ")}`), /net\.ipv4\.ip_forward = 1\nnet\.ipv4\.conf\.all\.send_redirects = 0\nnet\.ipv4\.conf\.eth0\.send_redirects = 0/, d);
            assert.match(sh(d, `ipvsadm -Ln -t ${VIP}:8080`), new RegExp(`${address("rs3", "front")}:80\\s+Masq`), `${d}: rs3 in NAT mode`);
        }
        assert.match(defaultRoutes("rs3"), new RegExp(`^default via ${VIP.replace(/\./g, "\\.")} dev eth0`, "m"), "rs3: default route via the VIP");

        const sent = DIRECTORS.map(redirectsSent);
        const far = JSON.parse(sh("rs6", `lab-client http ${NAT_URL} --count 30 --timeout 2`));
        assert.equal(far.failures, 0, `from rs6, on the routed remote segment: ${JSON.stringify(far)}`);
        assert.deepEqual(Object.keys(far.answers), ["rs3"]);
        assert.deepEqual(DIRECTORS.map(redirectsSent), sent, "no ICMP redirect sent while forwarding the replies");
        const near = JSON.parse(sh("client", `lab-client http ${NAT_URL} --count 3 --timeout 2`));
        assert.equal(near.failures, 3, `the client on the VIP's own segment is not served (rs3 answers it directly): ${JSON.stringify(near)}`);
        noFailures("the DR service meanwhile", httpRequests(URL, 40));

        const hold = onHostAsync("rs3", `lab-client hold ${rs6} 9000 --seconds 4 --interval 0.5`);
        let peers = "";
        for (let i = 0; i < 12 && !peers.includes(":"); i++) {
            await new Promise((r) => setTimeout(r, 250));
            peers = sh("rs6", "ss -Htn state established '( sport = :9000 )' | awk '{print $4}'").trim();
        }
        assert.equal(JSON.parse((await hold).stdout).server, "rs6");
        // rs6 listens on IPv6 too: an IPv4 peer shows as [::ffff:a.b.c.d]:port.
        assert.match(peers, new RegExp(`^(\\[::ffff:)?${VIP.replace(/\./g, "\\.")}\\]?:\\d+$`), `rs6 sees rs3's connection from the VIP: ${peers}`);
        console.log(`      one-NIC NAT: rs6 got ${far.answers.rs3} answers from the VIP, the same-segment client none; rs3 -> rs6 seen from ${peers}; redirects sent: 0`);
    });

    it("5. a second stack: refused the directors (naming the owner), and sharing rs1, where destroying either leaves what the other needs", () => {
        b.config("pair", "ownB");
        b.config("services", "{}");
        b.config("realServers", "{}");
        const refused = b.run(["up", "--yes", "--skip-preview"]);
        assert.notEqual(refused.code, 0);
        // The first of its commands to touch a director's keepalived files refuses: the secondary's hold
        // (keepalived.conf), else a director's auth.conf.
        assert.match(refused.output, /FAILED: file \/etc\/keepalived\/(keepalived\.conf|pulumi-lvs\/auth\.conf) is managed by urn:pulumi:e2e-own-a-\d+::\S+::own2-(primary|secondary)-(keepalived|auth), of another stack/);
        noFailures("after the refused stack", httpRequests(URL, 40));

        b.config("pair", "");
        b.config("realServers", JSON.stringify({ shared: { host: "rs1", mode: "DR" } }));
        b.up();
        a.ok(["destroy", "--yes", "--skip-preview"]);
        assert.ok(onLo("rs1"), "rs1 keeps the VIP the other stack still needs");
        assert.match(sysctls("rs1"), /net\.ipv4\.conf\.all\.arp_ignore = 1/);

        // The directors: dir1's own keepalived runs again, enabled, with its own configuration and service.
        assert.equal(active("dir1"), "active");
        assert.equal(enabled("dir1"), "enabled");
        assert.equal(sh("dir1", "cat /etc/keepalived/keepalived.conf"), OWN_CONF);
        assert.match(sh("dir1", "sleep 1; ipvsadm -Ln"), /10\.201\.0\.99:8080/);
        assert.ok(installed("dir1", "keepalived"), "dir1: the keepalived that was there stays installed");
        assert.equal(installed("dir2", "keepalived"), dir2HadKeepalived.value, "dir2: keepalived as before");
        if (!dir2HadKeepalived.value) assert.notEqual(active("dir2"), "active");
        for (const d of DIRECTORS) assert.equal(claims(d), "", `${d}: no claim left`);
        // What step 4b's one-NIC NAT changed is back too.
        for (const d of DIRECTORS) assert.equal(natState(d), prior[d], `${d}: forwarding, redirects and pulumi-lvs's firewall chains as before`);
        assert.equal(defaultRoutes("rs3"), prior.rs3, "rs3: the default routes from before");
        assert.equal(claims("rs3"), "", "rs3: no claim left");

        b.ok(["destroy", "--yes", "--skip-preview"]);
        assert.ok(!onLo("rs1"), "rs1: the VIP goes with the last stack");
        assert.equal(sysctls("rs1"), prior.rs1, "rs1: sysctls as before");
        assert.equal(claims("rs1"), "", "rs1: no claim left");
    });
});
