// What the NAT rules let through a director, on real kernel netfilter with the real iptables: a client
// namespace outside, a real server namespace inside, the director in between with IP forwarding on and
// an admin's FORWARD policy of DROP. The pair's and a NAT service's rules are loaded by fw.sh as on a
// host. This kernel has no IPVS, so the requests to the VIP are not part of it (IPVS sends them from
// LOCAL_IN through LOCAL_OUT, not FORWARD); what is checked is everything FORWARD decides: the real
// server's replies pass, the masqueraded network gets out, and nothing else crosses.
import { strict as assert } from "assert";
import { directorPairSchema } from "../../src/model/directorPair";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { renderNatRules, renderServiceRules } from "../../src/render/firewall";
import { natRuleSet, serviceRuleSet } from "../../src/render/ruleSets";
import { fwApply } from "../../src/remote/firewall";
import { sandboxPerSuite } from "../helpers/scriptSandbox";

// Inside: the real server 10.202.0.31 (not masqueraded) and a host of the masqueraded 10.202.0.192/26.
const pair = directorPairSchema.parse({
    interface: "eth0", vips: ["10.201.0.100"], vrrp: { virtualRouterId: 51 },
    inside: { interface: "eth1", vips: ["10.202.0.100/24"], masquerade: ["10.202.0.192/26"] },
});
const service = virtualServiceSchema.parse({ vip: "10.201.0.100", port: 53, protocol: "UDP", mode: "NAT", realServers: [{ address: "10.202.0.31", port: 8053 }] });

const NETWORK = String.raw`
set -e
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns
ip netns add client; ip netns add inside
ip link add eth0 type veth peer name c0 netns client
ip link add eth1 type veth peer name i0 netns inside
ip addr add 10.201.0.11/24 dev eth0; ip link set eth0 up
ip addr add 10.202.0.11/24 dev eth1; ip link set eth1 up
ip netns exec client sh -c 'ip link set lo up; ip addr add 10.201.0.50/24 dev c0; ip link set c0 up; ip route add default via 10.201.0.11'
ip netns exec inside sh -c 'ip link set lo up; ip addr add 10.202.0.31/24 dev i0; ip addr add 10.202.0.200/24 dev i0; ip link set i0 up; ip route add default via 10.202.0.11'
sysctl -qw net.ipv4.ip_forward=1
iptables -P FORWARD DROP
`;

// probe.py: tcp-listen PORT | tcp-connect SRC HOST PORT | udp-listen PORT | udp-send SRC SPORT DST DPORT
const PROBE = String.raw`
import os, socket, sys, time
m = sys.argv[1]
ready = lambda: open(os.environ["TMPDIR"] + "/ready", "w").close()
try:
    if m == "tcp-listen":
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(sys.argv[2]))); s.listen(1); s.settimeout(1.5); ready()
        c, peer = s.accept(); print("accepted from", peer[0])
    elif m == "tcp-connect":
        s = socket.socket(); s.bind((sys.argv[2], 0)); s.settimeout(1); s.connect((sys.argv[3], int(sys.argv[4]))); print("connected")
    elif m == "udp-listen":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(sys.argv[2]))); s.settimeout(1); ready()
        data, peer = s.recvfrom(100); print("received from", peer[0], peer[1])
    elif m == "udp-send":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[2], int(sys.argv[3])))
        for _ in range(3): s.sendto(b"x", (sys.argv[4], int(sys.argv[5]))); time.sleep(0.1)
except OSError as e:
    print("nothing:", type(e).__name__)
`;

const CHECKS = String.raw`
cat > "$TMPDIR/probe.py" <<'PY'
${PROBE}
PY
p() { ip netns exec "$1" python3 "$TMPDIR/probe.py" "${"$"}{@:2}"; }
listening() { # the listener started in the background is ready (at most 5 s)
  # (/bin/sleep: the sandbox's own sleep returns at once)
  for _ in $(seq 50); do [ ! -f "$TMPDIR/ready" ] || { rm -f "$TMPDIR/ready"; return 0; }; /bin/sleep 0.1; done; echo "listener not ready" >&2; return 1
}
tcp() { # FROM SRC TO DST PORT: a connection from FROM's SRC to DST:PORT, TO listening
  p "$3" tcp-listen "$5" > "$TMPDIR/l" & listening
  p "$1" tcp-connect "$2" "$4" "$5" > /dev/null; wait; cat "$TMPDIR/l"
}
udp() { # FROM SRC SPORT TO DST DPORT: datagrams from FROM's SRC:SPORT to DST:DPORT, TO listening
  p "$4" udp-listen "$6" > "$TMPDIR/l" & listening
  p "$1" udp-send "$2" "$3" "$5" "$6"; wait; cat "$TMPDIR/l"
}
echo "client to the real server's ssh: $(tcp client 10.201.0.50 inside 10.202.0.31 22)"
echo "client to the masqueraded host's ssh: $(tcp client 10.201.0.50 inside 10.202.0.200 22)"
echo "the real server's reply from 8053/udp: $(udp inside 10.202.0.31 8053 client 10.201.0.50 5555)"
echo "the real server from 22/udp: $(udp inside 10.202.0.31 22 client 10.201.0.50 5555)"
echo "the real server opening a connection: $(tcp inside 10.202.0.31 client 10.201.0.50 9999)"
echo "the masqueraded host opening a connection: $(tcp inside 10.202.0.200 client 10.201.0.50 9999)"
`;

describe("NAT forwarding through a director, on real netfilter", function () {
    this.timeout(60_000);
    const sandbox = sandboxPerSuite();

    it("admits the real server's replies and the masqueraded network's connections, and nothing else", () => {
        const r = sandbox().run({ script: CHECKS, plain: true }, {
            before: [
                { script: NETWORK, plain: true },
                { script: fwApply(natRuleSet("lb")), input: renderNatRules("lb", pair)! },
                { script: fwApply(serviceRuleSet(service)), input: renderServiceRules("dns", service, "eth1")! },
            ],
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, [
            "client to the real server's ssh: nothing: TimeoutError",
            "client to the masqueraded host's ssh: nothing: TimeoutError",
            "the real server's reply from 8053/udp: received from 10.202.0.31 8053",
            "the real server from 22/udp: nothing: TimeoutError",
            "the real server opening a connection: nothing: TimeoutError",
            "the masqueraded host opening a connection: accepted from 10.201.0.11",
            "",
        ].join("\n"));
    });
});
