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

    it("firewalld running with its nftables backend: INPUT rules are refused before anything changes (what firewalld drops, our chains cannot let in); other rules load", () => {
        const input = "4 filter INPUT -i eth0 -p 112 -j ACCEPT\n";
        const r = sandbox().run({ script: fwApply(SET), input }, { before: [{ script: 'touch "$FAKE_STATE/active.firewalld"', plain: true }], after: [rules] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: firewalld runs here \(nftables backend\): an iptables chain of pulumi-lvs cannot let in what firewalld drops; .*nothing was changed/);
        assert.doesNotMatch(r.after, /PLVS/);
        const forward = sandbox().run({ script: fwApply(SET), input: OLD }, { before: [{ script: 'touch "$FAKE_STATE/active.firewalld"', plain: true }], after: [rules] });
        assert.equal(forward.status, 0, forward.stderr);
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
