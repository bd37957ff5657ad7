// One director without VRRP (an LvsDirectorPair without secondary and vrrp), and its growth into a pair,
// on the lab's real hosts: examples/lab-dr with config oneDirector, as a user runs it from an infra repo.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { address, httpRequests, onHost, onHostAsync, sh, startHttpLoop, timeVipMove } from "../../lab/helpers";
import { createInfraRepo, packPackage, type InfraRepo } from "../helpers/infraRepo";
import { LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const example = path.join(repoRoot, "examples", "lab-dr", "index.ts");
const VIP = "10.201.0.100";
const URL = `http://${VIP}/`;
const REAL = ["rs1", "rs2", "rs3"];
const ARP_KEYS = ["net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.eth0.arp_ignore"];
const UNIT = "/etc/systemd/system/pulumi-lvs-director-lb-vips.service";

const sysctls = (host: string, keys: string[]) =>
    Object.fromEntries(sh(host, `sysctl ${keys.join(" ")}`).trim().split("\n").map((l) => l.split(" = ") as [string, string]));
const vipOn = (host: string, dev: string) => sh(host, `ip -o addr show dev ${dev}`).includes(` ${VIP}/`);
const keepalivedPid = (host: string) => sh(host, "systemctl show -p MainPID --value keepalived").trim();
const keepalivedState = (host: string) => onHost(host, "systemctl is-active keepalived").stdout.trim();
const installed = (host: string, pkg: string) => sh(host, `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null || true`).includes("install ok installed");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("one director without VRRP, grown into a pair (LvsDirectorPair without secondary)", function () {
    this.timeout(900_000);
    const stack = `e2e-one-${process.pid}`;
    let lab: LabStack;
    let packDir: string | undefined;
    let infra: InfraRepo | undefined;
    const arpBefore: Record<string, Record<string, string>> = {};
    const packagesBefore: Record<string, boolean> = {};
    const stateBefore: Record<string, string> = {};
    /** pulumi-lvs's state folder on a host, as a listing (another test's leftovers are compared, not judged). */
    const stateOf = (host: string) => sh(host, "find /var/lib/pulumi-lvs 2>/dev/null | sort || true").trim();

    before(() => {
        // An admin's setting the one director must override (its VIP on lo is answered through eth0 only
        // at arp_ignore 0), and that destroy must put back.
        sh("dir1", "sysctl -q -w net.ipv4.conf.eth0.arp_ignore=1");
        for (const d of ["dir1", "dir2"]) {
            arpBefore[d] = sysctls(d, ARP_KEYS);
            packagesBefore[d] = installed(d, "keepalived");
            stateBefore[d] = stateOf(d);
        }
        sh("dir2", "touch /tmp/one-director-start");
        packDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-pack-"));
        infra = createInfraRepo({ tarball: packPackage(packDir).tarball, program: fs.readFileSync(example, "utf8"), project: "lvs-lab-one" });
        lab = LabStack.create(infra.dir, stack, { oneDirector: "true" }, { vrrpPassword: "e2eONEpw" });
    });

    after(() => {
        lab?.remove();
        infra?.remove();
        if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
        onHost("dir1", "sysctl -q -w net.ipv4.conf.eth0.arp_ignore=0");
    });

    it("1. up: dir1 alone serves the VIP from lo (ARP answered on eth0), keepalived with the services and no VRRP; dir2 untouched", () => {
        lab.up();
        // The lab's hosts have no arping (the unit's gratuitous ARP is skipped), and an earlier test left the
        // VIP's entry on the client pointing at dir2: the client asks again, as it would once the entry expired.
        sh("client", `ip neigh del ${VIP} dev eth0 2>/dev/null || true`);
        assert.ok(vipOn("dir1", "lo") && !vipOn("dir1", "eth0"), "the VIP is on dir1's lo, not on eth0");
        assert.deepEqual(sysctls("dir1", ARP_KEYS), { "net.ipv4.conf.all.arp_ignore": "0", "net.ipv4.conf.eth0.arp_ignore": "0" });
        const conf = sh("dir1", "cat /etc/keepalived/keepalived.conf");
        assert.doesNotMatch(conf, /vrrp_instance|auth\.conf/);
        assert.equal(keepalivedState("dir1"), "active");
        assert.doesNotMatch(sh("dir1", 'journalctl -u keepalived --no-pager -o cat --since "$(systemctl show -p ActiveEnterTimestamp --value keepalived)"'), /VRRP child/, "keepalived runs no VRRP process");
        assert.match(sh("dir1", "ipvsadm -Ln"), new RegExp(`TCP\\s+${VIP}:80 wrr`));
        assert.equal(sh("dir2", "find /etc/keepalived /etc/sysctl.d /etc/systemd/system /var/lib/pulumi-lvs -newer /tmp/one-director-start 2>/dev/null || true").trim(), "", "nothing was put on dir2");
        assert.notEqual(keepalivedState("dir2"), "active");
        const res = httpRequests(URL, 60);
        assert.equal(res.failures, 0, JSON.stringify(res));
        for (const r of REAL) assert.ok((res.answers[r] ?? 0) > 0, `${r} answers: ${JSON.stringify(res.answers)}`);
        console.log(`      one director: ${JSON.stringify(res.answers)}`);
    });

    it("2. grown into the pair (secondary and vrrp added): no failed request and no dropped connection; dir1 MASTER with the VIP on eth0, dir2 BACKUP; lo and the ARP settings as before", async () => {
        lab.config("oneDirector", "false");
        const preview = lab.run(["preview", "--diff"]);
        assert.equal(preview.code, 0, preview.output);
        const block = (op: string, name: string) => new RegExp(`\\(${op}\\)\\n(?:\\s+\\[[^\\n]*\\n)*?\\s+\\[urn=[^\\]]*::${name}\\]`);
        assert.match(preview.stdout, block("delete", "lb-primary-vips"), `the VIPs' unit on lo goes:\n${preview.stdout}`);
        assert.match(preview.stdout, block("create", "lb-secondary-keepalived"));
        const pid = keepalivedPid("dir1");
        const flag = `/tmp/one-director-hold-${process.pid}`;
        sh("client", `rm -f ${flag}`);
        const holds = [0, 1, 2, 3].map(() => onHostAsync("client", `lab-client hold ${VIP} 9000 --until-file ${flag} --interval 1`));
        await sleep(2000);
        const loop = startHttpLoop(URL, { timeout: 2 });
        await sleep(1000);
        lab.up();
        await sleep(1000);
        const during = await loop.stop();
        sh("client", `touch ${flag}`);
        const held = (await Promise.all(holds)).map((r) => { try { return JSON.parse(r.stdout); } catch { return { alive: false, error: r.stderr.trim().split("\n").slice(-2).join(" ") }; } });
        assert.equal(during.failures, 0, `failed requests while growing: ${JSON.stringify(during)}`);
        for (const h of held) assert.ok(h.alive && h.replies >= 10, `a connection held across the growth broke: ${JSON.stringify(h)}`);
        assert.equal(keepalivedPid("dir1"), pid, "keepalived on dir1 reloaded, not restarted");
        assert.ok(vipOn("dir1", "eth0") && !vipOn("dir1", "lo"), "dir1 holds the VIP on eth0 (VRRP), and lo no longer");
        assert.match(sh("dir1", "journalctl -u keepalived --no-pager -o cat"), /Entering MASTER STATE/);
        assert.ok(!vipOn("dir2", "eth0"), "dir2 is BACKUP");
        assert.equal(keepalivedState("dir2"), "active");
        assert.equal(onHost("dir1", `test -e ${UNIT}`).code, 1, "the unit is gone");
        assert.deepEqual(sysctls("dir1", ARP_KEYS), arpBefore.dir1, "dir1's ARP settings are the admin's again");
        for (const d of ["dir1", "dir2"]) assert.match(sh(d, "ipvsadm -Ln"), new RegExp(`${address("rs1", "front")}:80\\s+Route`));
        console.log(`      while growing: ${during.sent} requests, ${during.failures} failed, longest gap ${during.longest_gap}s; ${held.length} held connections kept`);
    });

    it("3. the grown pair fails over: dir1's keepalived stopped, dir2 takes the VIP and serves", async () => {
        const moved = await timeVipMove({ from: "dir1", to: "dir2", vip: VIP, iface: "eth0", action: "systemctl stop keepalived" });
        try {
            assert.equal(httpRequests(URL, 20).failures, 0);
        } finally {
            sh("dir1", "systemctl start keepalived");
        }
        console.log(`      failover to dir2 in ${moved.toFixed(2)} s`);
    });

    it("4. destroy puts both directors back as they were", () => {
        lab.ok(["destroy", "--yes", "--skip-preview"]);
        for (const d of ["dir1", "dir2"]) {
            assert.ok(!vipOn(d, "eth0") && !vipOn(d, "lo"), `${d} holds no VIP`);
            assert.deepEqual(sysctls(d, ARP_KEYS), arpBefore[d]);
            assert.equal(installed(d, "keepalived"), packagesBefore[d]);
            assert.equal(stateOf(d), stateBefore[d], `${d}: pulumi-lvs's state folder is as before`);
        }
    });
});
