// scripts/sysctl.sh on a scratch network namespace (its net.* sysctls are its own): a failed apply puts
// back the live values it changed, not only the file, and leaves no ownership record behind.
import { strict as assert } from "assert";
import { sysctlApply } from "../../src/remote/sysctl";
import { sandboxPerSuite, type Step } from "../helpers/scriptSandbox";

const KEYS = ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.ip_local_port_range"];
const live: Step = { script: `sysctl ${KEYS.join(" ")}; echo records:; find "$(dirname "$FAKE_UNIT_DIR")/../state" -name .prior -o -name .key | sed 's#.*/claims/##'; ls "$(dirname "$FAKE_UNIT_DIR")"`, plain: true };
const BEFORE = "net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.forwarding = 0\nnet.ipv4.ip_local_port_range = 32768\t60999\n";

describe("sysctl.sh: a failed apply on a real network namespace", function () {
    this.timeout(60_000);
    const sandbox = sandboxPerSuite();

    it("a later line that the kernel refuses: the earlier lines' values go back, and no record is left", () => {
        // sysctl -p sets ip_forward and forwarding, then fails on the port range (its minimum above its maximum).
        const bad = "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.forwarding = 1\nnet.ipv4.ip_local_port_range = 60000 1000\n";
        const r = sandbox().run({ script: sysctlApply("lb"), input: bad }, { after: [live] });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /FAILED: sysctl -p \S+90-pulumi-lvs-lb\.conf failed \(sysctl: setting key "net\.ipv4\.ip_local_port_range": Invalid argument\)\n.*put back: no \S+ \(there was none\); net\.ipv4\.ip_forward=0; net\.ipv4\.conf\.all\.forwarding=0; net\.ipv4\.ip_local_port_range=32768\t60999\n/);
        assert.equal(r.after, `${BEFORE}records:\nunits\n`, "the values from before, no claim record, no sysctl.d file");
    });

    it("a failure after the values were set (one is changed behind sysctl -p's back): the values go back all the same", () => {
        const good = "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.forwarding = 1\n";
        const undoesOne = `case "$*" in *" -p "*) "$REAL" "$@" || exit; "$REAL" -q -w net.ipv4.conf.all.forwarding=0 >/dev/null; exit 0 ;; esac\nexec "$REAL" "$@"`;
        const r = sandbox().run({ script: sysctlApply("lb"), input: good }, { after: [live], fault: { tool: "sysctl", mode: "replaced", body: undoesOne } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^pulumi-lvs\[[^\]]+\]: FAILED: net\.ipv4\.(ip_forward|conf\.all\.forwarding) is '0' after applying, expected '1'\npulumi-lvs\[[^\]]+\]: put back: no \S+90-pulumi-lvs-lb\.conf \(there was none\); net\.ipv4\.ip_forward=0; net\.ipv4\.conf\.all\.forwarding=0\n/);
        assert.equal(r.after, `${BEFORE}records:\nunits\n`);
    });
});
