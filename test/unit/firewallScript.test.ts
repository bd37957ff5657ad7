// scripts/fw.sh with the real iptables (both backends) on a scratch host (test/helpers/scriptSandbox.ts):
// what it loads and removes, and what it says when the kernel refuses a table or no iptables works.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { directorPairSchema } from "../../src/model/directorPair";
import { renderNatRules } from "../../src/render/firewall";
import { natRuleSet } from "../../src/render/ruleSets";
import { fwApply, fwDelete } from "../../src/remote/firewall";
import { type Fault, sandboxPerSuite } from "../helpers/scriptSandbox";

const SET = "PLVS_lb";
const OLD = "# before\n4 filter FORWARD -s 10.202.0.32/32 -p tcp --sport 80 -j ACCEPT\n";
const NEW = "# after\n4 filter FORWARD -s 10.202.0.31/32 -p tcp --sport 80 -j ACCEPT\n4 nat POSTROUTING -o lo -s 10.202.0.0/24 -j MASQUERADE\n";
const rules = { script: "for t in filter nat; do iptables -t $t -S; done", plain: true };
const allRules = (ipt: string) => ({ script: `for t in filter nat mangle; do ${ipt} -t $t -S; ${ipt.replace("ip", "ip6")} -t $t -S; done`, plain: true });
/** An iptables (both backends) on a kernel without the `table` table. */
const refusing = (table: string): Fault[] => ["iptables", "iptables-legacy"].map((tool) => ({
    tool, mode: "replaced" as const,
    body: `case " $* " in *" -t ${table} "*) echo "iptables v1.8.9: can't initialize iptables table \\\`${table}': Table does not exist (do you need to insmod?)" >&2; exit 3 ;; esac\nexec "$REAL" "$@"`,
}));

describe("fw.sh with the real iptables", function () {
    this.timeout(120_000);
    const sandbox = sandboxPerSuite();

    for (const backend of ["nf_tables", "legacy"] as const) {
        it(`a pair name of 63 characters: its NAT rules load and unload with the real iptables (${backend}, found by apply; delete clears every backend)`, () => {
            const name = `frontend-lb-1-${"x".repeat(49)}`;
            const pair = directorPairSchema.parse({
                interface: "eth0", vips: ["10.201.0.100", "fd00:201::100"], vrrp: { virtualRouterId: 51 },
                inside: { interface: "eth1", vips: ["10.202.0.100/24"], masquerade: ["10.202.0.0/24", "fd00:202::/64"] },
            });
            const set = natRuleSet(name);
            const ipt = backend === "legacy" ? "iptables-legacy" : "iptables";
            // Without the nf_tables iptables, fw.sh takes the legacy one.
            const fault: Fault[] = backend === "legacy" ? [{ tool: "iptables", mode: "missing" }, { tool: "ip6tables", mode: "missing" }] : [];
            const r = sandbox().run({ script: fwApply(set), input: renderNatRules(name, pair)! }, {
                fault, after: [allRules(ipt), { script: fwDelete(set) }, { script: "echo ---", plain: true }, allRules(ipt)],
            });
            assert.equal(r.status, 0, r.stderr);
            const [loaded, removed] = r.after.split("---\n");
            for (const hook of ["FORWARD", "POSTROUTING"]) {
                assert.ok(`${set}_${hook}`.length <= 28);
                assert.equal(loaded!.split(`-A ${hook} -j ${set}_${hook}\n`).length, 3, `${set}_${hook} is jumped to, in IPv4 and IPv6:\n${loaded}`);
            }
            assert.match(loaded!, new RegExp(`-A ${set}_POSTROUTING -s 10\\.202\\.0\\.0/24 -o eth0 -j MASQUERADE`));
            assert.doesNotMatch(removed!, /PLVS/, `nothing of ${set} is left:\n${removed}`);
        });
    }

    it("every golden rules file loads with the real iptables, and unloads leaving nothing", () => {
        const golden = path.join(__dirname, "golden");
        for (const file of fs.readdirSync(golden).filter((f) => f.startsWith("fw-"))) {
            const r = sandbox().run({ script: fwApply("PLVS_golden"), input: fs.readFileSync(path.join(golden, file), "utf8") }, {
                after: [allRules("iptables"), { script: fwDelete("PLVS_golden") }, { script: "echo ---", plain: true }, allRules("iptables")],
            });
            assert.equal(r.status, 0, `${file}: ${r.stderr}`);
            const [loaded, removed] = r.after.split("---\n");
            assert.match(loaded!, /-A PLVS_golden_/, file);
            assert.doesNotMatch(removed!, /PLVS/, file);
        }
    });

    it("systemd is not reloaded: the set's unit only runs at boot, so apply, change and delete leave systemd's loaded units alone", () => {
        const reloads = { script: 'echo "reloads: $(cat "$FAKE_STATE/daemon-reloads" 2>/dev/null | wc -l)"', plain: true };
        const r = sandbox().run({ script: fwApply(SET), input: NEW }, {
            before: [{ script: fwApply(SET), input: OLD }],
            after: [reloads, { script: 'ls "$FAKE_UNIT_DIR"', plain: true }, { script: fwDelete(SET) }, reloads, { script: 'ls "$FAKE_UNIT_DIR"', plain: true }],
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.after, "reloads: 0\npulumi-lvs-fw-plvs-lb.service\nreloads: 0\n");
    });

    describe("where firewalld runs (a stand-in firewall-cmd: zones public, the default, and trusted)", () => {
        const on = { script: 'touch "$FAKE_STATE/active.firewalld"', plain: true };
        const bind = (nic: string, zone: string) => ({ script: `mkdir -p "$FAKE_STATE/firewalld/if" && echo ${zone} > "$FAKE_STATE/firewalld/if/${nic}"`, plain: true });
        const zones = { script: 'cd "$FAKE_STATE/firewalld" && for f in rt/* pm/*; do [ -s "$f" ] && sed "s|^|$f: |" "$f"; done; true', plain: true };
        const pair = directorPairSchema.parse({
            interface: "eth0", vips: ["10.201.0.100"], vrrp: { virtualRouterId: 51 }, firewall: true,
            inside: { interface: "eth1", vips: ["10.202.0.100/24"], masquerade: ["10.202.0.0/24"] },
            lvsSyncDaemon: { interface: "eth2" },
        });
        const vrrp = 'rule family="ipv4" protocol value="112" accept';
        const sync = 'rule family="ipv4" port port="8848" protocol="udp" accept';
        const http = "firewalld * rule family=\"ipv4\" port port=\"80\" protocol=\"tcp\" accept";

        it("the INPUT admissions go into the NICs' zones (runtime and permanent), not into iptables; the other rules load into iptables; delete takes back exactly what it added", () => {
            const r = sandbox().run({ script: fwApply(SET), input: renderNatRules("lb", pair)! }, {
                before: [on, bind("eth0", "trusted")],
                after: [zones, rules, { script: fwDelete(SET) }, { script: "echo ---", plain: true }, zones, rules],
            });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stderr, /INPUT admissions through firewalld: 3 rich rules/);
            const [applied, deleted] = r.after.split("---\n");
            for (const mode of ["rt", "pm"]) {
                assert.match(applied!, new RegExp(`${mode}/trusted: ${vrrp}\n`), "VRRP on eth0 and eth1: eth0's zone");
                assert.match(applied!, new RegExp(`${mode}/public: ${vrrp}\n`), "eth1 is in no zone: the default one");
                assert.match(applied!, new RegExp(`${mode}/public: ${sync}\n`));
            }
            assert.doesNotMatch(applied!, /PLVS_lb_INPUT/, "no INPUT chain in iptables");
            assert.match(applied!, /-A PLVS_lb_FORWARD /);
            assert.doesNotMatch(deleted!, /rule|PLVS/, deleted);
        });

        it("a rule the admin already had stays when the set goes; one wanted by two sets goes with the last; a changed set gives up only what it no longer wants", () => {
            const admin = { script: `firewall-cmd --zone=public --add-rich-rule='${vrrp.replace("ipv4", "ipv6")}' && firewall-cmd --permanent --zone=public --add-rich-rule='${sync}'`, plain: true };
            const rs = (ports: number[]) => ["# rs", ...ports.map((p) => http.replace('"80"', `"${p}"`))].join("\n") + "\n";
            // Each set is one resource's (a command per set): three owners.
            const owner = (n: string, token: string) => ({ PLVS_OWNER: `urn:pulumi:test::unit::pulumi-lvs:index:Fuzz$command:remote:Command::${n}`, PLVS_TOKEN: token });
            const other = owner("y", "e0e0e0e0e0e0e0e0"), pairs = owner("z", "d0d0d0d0d0d0d0d0");
            const r = sandbox().run({ script: fwApply("PLVS_R_a"), input: rs([80]) }, {
                before: [on, admin, { script: fwApply("PLVS_R_b"), input: rs([80, 8080]), env: other }, { script: fwApply("PLVS_lb6"), input: `6 filter INPUT -i eth0 -p 112 -j ACCEPT\nfirewalld eth0 ${vrrp.replace("ipv4", "ipv6")}\n4 filter INPUT -i eth2 -p udp --dport 8848 -j ACCEPT\nfirewalld eth2 ${sync}\n`, env: pairs }],
                after: [
                    { script: fwDelete("PLVS_lb6"), env: pairs }, { script: fwApply("PLVS_R_b"), input: rs([80]), env: other }, zones, { script: "echo ---", plain: true },
                    { script: fwDelete("PLVS_R_b"), env: other }, zones, { script: "echo ---", plain: true }, { script: fwDelete("PLVS_R_a") }, zones,
                ],
            });
            assert.equal(r.status, 0, r.stderr);
            const [changed, oneLeft, none] = r.after.split("---\n").map((part) => part.split("\n").filter((l) => /^(rt|pm)\//.test(l)).map((l) => `${l}\n`).join(""));
            const v6 = vrrp.replace("ipv4", "ipv6");
            assert.equal(changed, `rt/public: ${v6}\nrt/public: rule family="ipv4" port port="80" protocol="tcp" accept\npm/public: ${sync}\npm/public: rule family="ipv4" port port="80" protocol="tcp" accept\n`,
                "the admin's two rules stay (each in the mode it had), port 80 stays for two sets, 8080 went with the change");
            assert.match(oneLeft!, /rt\/public: rule family="ipv4" port port="80"/, `still wanted by the other set:\n${r.after}`);
            assert.equal(none, `rt/public: ${v6}\npm/public: ${sync}\n`, "only the admin's rules are left");
        });

        it("firewalld refuses a rule (alone in its zone's run): nothing is changed, and the message names firewalld's answer; stopped since the apply, delete takes the permanent rules back offline", () => {
            const input = renderNatRules("lb", pair)!;
            const refused = sandbox().run({ script: fwApply(SET), input }, {
                before: [on, bind("eth0", "trusted"), bind("eth1", "trusted"), { script: 'mkdir -p "$FAKE_STATE/firewalld" && echo 8848 > "$FAKE_STATE/firewalld/refuse"', plain: true }], after: [zones, rules],
            });
            assert.equal(refused.status, 1);
            assert.match(refused.stderr, /FAILED: firewalld refused the rules of PLVS_lb: firewall-cmd .*--add-rich-rule: Error: INVALID_RULE: .*8848.*; nothing was changed/);
            assert.doesNotMatch(refused.after, /rule|PLVS/, refused.after);
            const stopped = sandbox().run({ script: fwDelete(SET) }, {
                before: [on, { script: fwApply(SET), input }, { script: 'rm "$FAKE_STATE/active.firewalld"', plain: true }], after: [zones, rules],
            });
            assert.equal(stopped.status, 0, stopped.stderr);
            assert.doesNotMatch(stopped.after, /pm\/|PLVS/, stopped.after);
        });

        it("a rename (another resource of the stack takes the set over): the old one's delete leaves the rules to it; its own delete takes them back", () => {
            const renamed = { PLVS_OWNER: "urn:pulumi:test::unit::pulumi-lvs:index:Fuzz$command:remote:Command::renamed", PLVS_TOKEN: "c0c0c0c0c0c0c0c0" };
            const input = renderNatRules("lb", pair)!;
            const r = sandbox().run({ script: fwDelete(SET) }, {
                before: [on, { script: fwApply(SET), input }, { script: fwApply(SET), input, env: renamed }],
                after: [zones, { script: "echo ---", plain: true }, { script: fwDelete(SET), env: renamed }, zones],
            });
            assert.equal(r.status, 0, r.stderr);
            const [kept, gone] = r.after.split("---\n");
            assert.match(kept!, /rt\/public: rule family="ipv4" protocol value="112" accept\n/);
            assert.match(kept!, /pm\/public: rule family="ipv4" port port="8848"/);
            assert.doesNotMatch(gone!, /^(rt|pm)\//m, gone);
        });

        it("one rule of several refused (firewall-cmd then only warns and exits 0): the apply fails and takes back what went in", () => {
            const r = sandbox().run({ script: fwApply(SET), input: renderNatRules("lb", pair)! }, {
                before: [on, { script: 'mkdir -p "$FAKE_STATE/firewalld" && echo 8848 > "$FAKE_STATE/firewalld/refuse"', plain: true }], after: [zones, rules],
            });
            assert.equal(r.status, 1);
            assert.match(r.stderr, /FAILED: firewalld refused the rules of PLVS_lb: firewall-cmd --zone=public --add-rich-rule: Warning: INVALID_RULE: .*8848.*; nothing was changed/);
            assert.doesNotMatch(r.after, /^(rt|pm)\/|PLVS/m, r.after);
        });

        it("a removal that fails keeps the claims: the next delete takes the rules back", () => {
            const r = sandbox().run({ script: fwDelete(SET) }, {
                before: [on, { script: fwApply(SET), input: renderNatRules("lb", pair)! }],
                fault: { tool: "firewall-cmd", mode: "fails" },
                after: [{ script: fwDelete(SET) }, zones],
            });
            assert.equal(r.status, 1);
            assert.match(r.stderr, /FAILED: removing firewalld rules failed: firewall-cmd --zone=public --remove-rich-rule: .*; they stay claimed, and the next run tries again/);
            assert.doesNotMatch(r.after, /^(rt|pm)\//m, r.after);
        });

        it("a full state folder: nothing is added (what was there before cannot be recorded); once there is room, apply and delete leave the zones as they were", () => {
            const r = sandbox().run({ script: fwApply(SET), input: renderNatRules("lb", pair)! }, {
                before: [on],
                fault: { dir: "state", mode: "full" },
                after: [zones, { script: 'rm -f "$(dirname "$FAKE_STATE")/state/.fill"; echo ---', plain: true }, { script: fwApply(SET), input: renderNatRules("lb", pair)! }, { script: fwDelete(SET) }, zones],
            });
            assert.equal(r.status, 1);
            const [failed, deleted] = r.after.split("---\n");
            assert.doesNotMatch(failed!, /^(rt|pm)\//m, failed);
            assert.doesNotMatch(deleted!, /^(rt|pm)\//m, deleted);
        });

        it("firewalld not running: the same rules file loads the INPUT admissions into iptables", () => {
            const r = sandbox().run({ script: fwApply(SET), input: renderNatRules("lb", pair)! }, { after: [rules] });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.after, /-A PLVS_lb_INPUT -i eth0 -p vrrp -j ACCEPT|-A PLVS_lb_INPUT -i eth0 -p 112 -j ACCEPT/);
        });
    });

    it("a kernel without the nat table: the apply fails naming the table and what each iptables said; the previous rules are back", () => {
        const r = sandbox().run({ script: fwApply(SET), input: NEW }, { before: [{ script: fwApply(SET), input: OLD }], after: [rules], fault: refusing("nat") });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: no iptables can change the IPv4 nat table on this host \(iptables: iptables v1\.8\.9: can't initialize iptables table `nat': Table does not exist \(do you need to insmod\?\); iptables-legacy: .*Table does not exist/);
        assert.match(r.stderr, /FAILED: loading the rules of PLVS_lb failed: .*; the previous rules were restored/);
        assert.match(r.after, /-A FORWARD -j PLVS_lb_FORWARD\n/);
        assert.match(r.after, /-A PLVS_lb_FORWARD -s 10\.202\.0\.32\/32 -p tcp -m tcp --sport 80 -j ACCEPT/);
        assert.doesNotMatch(r.after, /10\.202\.0\.31|PLVS_lb_POSTROUTING/);
    });

    it("no iptables works at all: an apply over earlier rules fails saying so; a delete still removes the set's files", () => {
        const none: Fault[] = [{ tool: "iptables", mode: "missing" }, refusing("filter")[1]!];
        const apply = sandbox().run({ script: fwApply(SET), input: NEW }, { before: [{ script: fwApply(SET), input: OLD }], fault: none });
        assert.equal(apply.status, 1);
        assert.match(apply.stderr, /FAILED: no iptables can change the IPv4 filter table on this host \(iptables: not installed; iptables-legacy: .*Table does not exist/);
        const del = sandbox().run({ script: fwDelete(SET) }, { before: [{ script: fwApply(SET), input: OLD }], fault: none, after: [{ script: 'find "$(dirname "$FAKE_UNIT_DIR")" -type f', plain: true }] });
        assert.equal(del.status, 0, del.stderr);
        assert.equal(del.after.trim(), "", "the rules file, the loader and the unit are gone");
    });
});
