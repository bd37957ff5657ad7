// The lab itself (issue 3's done-when): every host answers over SSH with its own host key, a director
// can load IPVS, and apt gets keepalived from the lab's own repository.
import { strict as assert } from "assert";
import { clearLabMails, labHosts, labMails, onHost, sh } from "../../lab/helpers";

describe("the lab", function () {
    this.timeout(600_000);

    it("has two directors, real servers in three segments and a client, all answering SSH", () => {
        const hosts = labHosts();
        assert.deepEqual(hosts.filter((h) => h.role === "director").map((h) => h.name), ["dir1", "dir2"]);
        assert.equal(hosts.filter((h) => h.role === "client").length, 1);
        const segments = new Set(hosts.filter((h) => h.role === "real").flatMap((h) => h.addresses.map((a) => a.segment)));
        for (const s of ["front", "back", "remote"]) assert.ok(segments.has(s), `a real server on ${s}`);
        for (const h of hosts) {
            assert.equal(h.ssh.host, "127.0.0.1");
            assert.equal(sh(h.name, "hostname").trim(), h.name);
        }
    });

    it("gives every host its own SSH host key and machine-id", () => {
        const keys = labHosts().map((h) => sh(h.name, "cat /etc/ssh/ssh_host_ed25519_key.pub /etc/machine-id"));
        assert.equal(new Set(keys).size, keys.length);
    });

    it("gives every host a cgroup tree of its own: one host's systemd never sees another's units", () => {
        // Shared, one host's systemd removed a unit's cgroup while another attached to it (219/CGROUP).
        for (const h of labHosts()) {
            const inits = sh(h.name, "cat /sys/fs/cgroup/init.scope/cgroup.procs").trim().split("\n");
            assert.deepEqual(inits, ["1"], `${h.name}: the processes of init.scope`);
        }
    });

    it("reaches the NAT segment only through the directors", () => {
        assert.notEqual(onHost("client", "ping -c1 -W1 10.202.0.31").code, 0, "client cannot reach rs4 directly");
        assert.equal(onHost("dir1", "ping -c1 -W2 10.202.0.31").code, 0, "dir1 reaches rs4");
    });

    it("runs real-server services: HTTP with a health URL that can fail, TCP hold, UDP echo", () => {
        assert.equal(sh("client", "curl -s http://10.201.0.21/").trim(), "rs1");
        assert.equal(sh("client", "curl -s -o /dev/null -w '%{http_code}' http://10.201.0.21/health"), "200");
        sh("rs1", "mkdir -p /run/lab && touch /run/lab/unhealthy");
        assert.equal(sh("client", "curl -s -o /dev/null -w '%{http_code}' http://10.201.0.21/health"), "503");
        sh("rs1", "rm -f /run/lab/unhealthy");
        assert.equal(JSON.parse(sh("client", "lab-client hold 10.201.0.22 9000 --seconds 1 --interval 0.2")).server, "rs2");
        assert.deepEqual(JSON.parse(sh("client", "lab-client udp 10.201.0.23 9001 --count 3")).answers, { rs3: 3 });
    });

    it("runs a mail sink on the client that keeps what a director sends to port 25", () => {
        clearLabMails();
        sh("dir1", "printf 'HELO dir1\\r\\nMAIL FROM:<lvs@lab.example>\\r\\nRCPT TO:<ops@lab.example>\\r\\nDATA\\r\\nSubject: lab check\\r\\n\\r\\n..dot-stuffed\\r\\n.\\r\\nQUIT\\r\\n' | nc -q 2 10.201.0.50 25 >/dev/null");
        const mails = labMails();
        assert.deepEqual(mails.map((m) => [m.peer, m.subject]), [["10.201.0.11", "lab check"]]);
        assert.match(mails[0]!.text, /^\.dot-stuffed$/m);
        clearLabMails();
    });

    it("loads IPVS on a director, and its apt fetches keepalived + ipvsadm from the lab repository", () => {
        // Installing them is what every deploy does (dr.test's first up proves it): fetching is enough here.
        assert.match(sh("dir2", "modprobe ip_vs && cat /proc/net/ip_vs"), /IP Virtual Server version/);
        const fetched = sh("dir2", "d=$(mktemp -d) && cd $d && apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && " +
            "apt-get -q download keepalived ipvsadm >/dev/null 2>&1 && ls; cd / && rm -rf $d");
        assert.match(fetched, /^keepalived_(1%3a)?2\.[^\n]*\.deb$/m);
        assert.match(fetched, /^ipvsadm_[^\n]*\.deb$/m);
    });
});
