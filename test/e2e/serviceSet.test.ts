// VirtualServiceSet on the lab: many services of a pair changed by one command and one keepalived reload per
// director, with real `pulumi up`s, checked in IPVS, in the directors' files and claims, and with traffic
// through the VIP; a file keepalived refuses fails the set's change, naming it, and changes nothing; a
// service moved into the set, and a renamed set, undo nothing; destroy leaves nothing.
import { strict as assert } from "assert";
import * as path from "path";
import { httpRequests, sh, startHttpLoop } from "../../lab/helpers";
import { costSince, startMarks } from "../../bench/hostCounters";
import { failureReports, LabStack } from "../helpers/labStack";
import { repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "test", "fixtures", "service-set");
const VIP = "10.201.0.100";
const URL = `http://${VIP}/`;
const DIRECTORS = ["dir1", "dir2"];
const services = (d: string) => sh(d, "ipvsadm -Ln | grep -E '^TCP ' | awk '{print $2}' | sort -t: -k2 -n").trim().split("\n").filter(Boolean);
const files = (d: string) => sh(d, "ls /etc/keepalived/pulumi-lvs/services 2>/dev/null || true").trim().split("\n").filter(Boolean);
/** The claims on service files, as "file owner-command". */
const claims = (d: string) => sh(d, "for c in /var/lib/pulumi-lvs/claims/*services*/*; do [ -f \"$c\" ] && echo \"$(sed 's#.*/##' \"${c%/*}/.key\") $(head -n1 \"$c\" | sed 's/.*:://')\"; done 2>/dev/null | sort || true").trim().split("\n").filter(Boolean);
const ports = (list: string[]) => list.map((s) => Number(s.split(":")[1]));
const fillers = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${from + i}`, 10000 + from + i]));
const reloads = (marks: ReturnType<typeof startMarks>) => Object.values(costSince(marks)).map((c) => c.reloads + c.starts);
// dir2's keepalived refuses (keepalived -t) any configuration with the real server 10.201.0.177.
const REFUSING = `printf '#!/bin/sh\\nif [ "$1" = -t ] && grep -rqs 10.201.0.177 "$(dirname "$3")"; then echo "(Line 9) refused: real server 10.201.0.177" >&2; exit 1; fi\\nexec /usr/sbin/keepalived "$@"\\n' > /usr/local/sbin/keepalived && chmod +x /usr/local/sbin/keepalived`;

describe("VirtualServiceSet: many services, one command and one reload per director (lab)", function () {
    this.timeout(1_200_000);
    let stack: LabStack;

    before(() => {
        stack = LabStack.create(program, `e2e-set-${process.pid}`, { services: JSON.stringify({ web: 80, ...fillers(0, 20) }) }, { vrrpPassword: "e2eSetp1" });
    });
    after(() => {
        sh("dir2", "rm -f /usr/local/sbin/keepalived");
        stack?.remove();
    });

    it("1. up: the pair and a set of 21 services; each in IPVS on both directors, each file the set's; traffic through the VIP", () => {
        stack.up();
        for (const d of DIRECTORS) {
            assert.deepEqual(ports(services(d)), [80, ...Array.from({ length: 20 }, (_, i) => 10000 + i)], d);
            assert.equal(files(d).length, 21, d);
            assert.ok(claims(d).every((c) => c.endsWith(` tier-${d === "dir1" ? "primary" : "secondary"}`)), claims(d).join("\n"));
        }
        const r = httpRequests(URL, 40);
        assert.equal(r.failures, 0, JSON.stringify(r));
    });

    it("2. one up adds 30 services, removes 10 and changes a weight: one reload per director, 0 failed requests", async () => {
        stack.config("services", JSON.stringify({ web: 80, ...fillers(10, 40) }));
        stack.config("weight", "3");
        const marks = startMarks(DIRECTORS);
        const loop = startHttpLoop(URL);
        stack.up();
        const during = await loop.stop();
        assert.deepEqual(reloads(marks), [1, 1], "one reload on each director");
        for (const d of DIRECTORS) {
            assert.deepEqual(ports(services(d)), [80, ...Array.from({ length: 40 }, (_, i) => 10010 + i)], d);
            assert.match(sh(d, `ipvsadm -Ln -t ${VIP}:80`), /-> 10\.201\.0\.21:80\s+Route\s+3\b/, `${d}: rs1's new weight`);
        }
        assert.ok(during.sent > 0);
        assert.equal(during.failures, 0, JSON.stringify(during));
        console.log(`      +30 -10 services and a weight: ${during.sent} requests, ${during.failures} failed`);
        assert.equal(stack.run(["preview", "--expect-no-changes"]).code, 0, "nothing left to change");
    });

    it("3. a file keepalived refuses fails the change, naming that service with keepalived's words: nothing of it lands, the primary waits, and the next up applies it all", () => {
        sh("dir2", REFUSING);
        try {
            const before = DIRECTORS.map((d) => sh(d, "cd /etc/keepalived/pulumi-lvs/services && sha256sum *.conf; ipvsadm-save -n | sort"));
            stack.config("services", JSON.stringify({ web: 80, ...fillers(10, 40), n1: 11001, n2: 11002 }));
            stack.config("marked", "f20");
            stack.config("weight", "2");
            const res = stack.run(["up", "--yes", "--skip-preview"]);
            assert.notEqual(res.code, 0, res.output);
            const report = failureReports(res.output).map((f) => f.output).join("\n") || res.output;
            assert.match(report, /1 of the 43 service files of VirtualServiceSet "tier" failed; nothing of the set was changed/, report);
            assert.match(report, /service f20 \(\/etc\/keepalived\/pulumi-lvs\/services\/tcp_10-201-0-100_10020\.conf\): keepalived rejected the configuration with the new \S+ \(keepalived -t\)/, report);
            assert.match(report, /refused: real server 10\.201\.0\.177/, report);
            // dir2 (secondary, first) is as it was; dir1 (primary) was not touched: the secondary's failure stops the change before it.
            assert.deepEqual(DIRECTORS.map((d) => sh(d, "cd /etc/keepalived/pulumi-lvs/services && sha256sum *.conf; ipvsadm-save -n | sort")), before);
            assert.equal(stack.run(["preview", "--expect-no-changes"]).code === 0, false, "the change is still to do");
        } finally {
            sh("dir2", "rm -f /usr/local/sbin/keepalived");
        }
        // The same inputs again, now accepted: everything lands on both directors.
        stack.up();
        for (const d of DIRECTORS) {
            assert.match(sh(d, `ipvsadm -Ln -t ${VIP}:10020`), /-> 10\.201\.0\.177:10020/, d);
            assert.match(sh(d, `ipvsadm -Ln -t ${VIP}:80`), /-> 10\.201\.0\.21:80\s+Route\s+2\b/, `${d}: rs1's new weight`);
            assert.equal(services(d).length, 43, d);
        }
    });

    it("4. a VirtualService moved into the set in one up: the set takes its file over and the old service's delete leaves it; 0 failed requests on it", async () => {
        stack.config("marked", "");
        stack.config("singles", JSON.stringify({ solo: 9000 }));
        stack.up();
        for (const d of DIRECTORS) assert.ok(claims(d).some((c) => c === `tcp_10-201-0-100_9000.conf solo-${d === "dir1" ? "primary" : "secondary"}`), claims(d).join("\n"));
        stack.config("singles", "{}");
        stack.config("services", JSON.stringify({ web: 80, hold: 9000, ...fillers(10, 40), n1: 11001, n2: 11002 }));
        const loop = startHttpLoop(URL);
        stack.up();
        const during = await loop.stop();
        assert.equal(during.failures, 0, JSON.stringify(during));
        for (const d of DIRECTORS) {
            assert.ok(claims(d).includes(`tcp_10-201-0-100_9000.conf tier-${d === "dir1" ? "primary" : "secondary"}`), claims(d).join("\n"));
            assert.ok(ports(services(d)).includes(9000), `${d}: 9000 still served`);
        }
    });

    it("5. renaming the set (a new set, then the old one's delete) undoes nothing: the same services, 0 failed requests, files now the new set's", async () => {
        const before = DIRECTORS.map(services);
        stack.config("set", "tier2");
        const loop = startHttpLoop(URL);
        stack.up();
        const during = await loop.stop();
        assert.equal(during.failures, 0, JSON.stringify(during));
        assert.deepEqual(DIRECTORS.map(services), before);
        for (const d of DIRECTORS) {
            const c = claims(d);
            assert.equal(c.length, 44, c.join("\n"));
            assert.ok(c.every((x) => x.endsWith(` tier2-${d === "dir1" ? "primary" : "secondary"}`)), c.join("\n"));
        }
        assert.equal(stack.run(["preview", "--expect-no-changes"]).code, 0, "nothing left to change");
    });

    it("6. destroy removes every service, file and claim with one reload per director", () => {
        stack.config("set", "");
        const marks = startMarks(DIRECTORS);
        stack.up();
        assert.deepEqual(reloads(marks), [1, 1]);
        for (const d of DIRECTORS) {
            assert.deepEqual(services(d), []);
            assert.deepEqual(files(d), []);
            assert.deepEqual(claims(d), []);
        }
        stack.ok(["destroy", "--yes", "--skip-preview"]);
        // Nothing of this stack's is left in the state folder (what earlier suites left there is theirs).
        for (const d of DIRECTORS) assert.equal(sh(d, `grep -rl 'e2e-set-${process.pid}' /var/lib/pulumi-lvs 2>/dev/null; ls /var/lib/pulumi-lvs/set-pending.* 2>/dev/null; true`).trim(), "", d);
    });
});
