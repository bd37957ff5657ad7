"""The default example (examples/lab-dr) in Python, on the local lab, through the component package.

Generate its SDK once: `pulumi package add ../../plugin` (writes sdks/pulumi-lvs and its requirements line).
Stack config, as for examples/lab-dr:
  lab:hosts        the lab's hosts (the JSON of `npm run lab -- status --json`)
  lab:privateKey   the lab's SSH key (secret)
  vrrpPassword     the VRRP password, at most 8 characters (secret)
  weights          optional: the web service's wrr weight of any real server, e.g. {"rs1": 5}
  virtualRouterId  optional, defaults to 51
"""
import pulumi
import pulumi_lvs as lvs

lab = pulumi.Config("lab")
config = pulumi.Config()
hosts = {h["name"]: h for h in lab.require_object("hosts")}
private_key = lab.require_secret("privateKey")
# The lab's DR real servers and their default weights in the web service.
weights = {"rs1": 3, "rs2": 2, "rs3": 1, **(config.get_object("weights") or {})}
unknown = sorted(set(weights) - {"rs1", "rs2", "rs3"})
if unknown:
    raise ValueError(f"config weights.{unknown[0]}: the real servers are rs1, rs2, rs3")


def connection(name: str, user: str | None = None) -> lvs.host.ConnectionArgs:
    ssh = hosts[name]["ssh"]
    return lvs.host.ConnectionArgs(host=ssh["host"], port=ssh["port"], user=user or ssh["user"], private_key=private_key)


def front_address(name: str) -> str:
    return next(a["address"] for a in hosts[name]["addresses"] if a["segment"] == "front" and ":" not in a["address"])


vip = "10.201.0.100"

directors = lvs.LvsDirectorPair(
    "lb",
    primary=connection("dir1"),
    secondary=connection("dir2"),
    interface="eth0",
    vips=[vip],
    vrrp=lvs.VrrpArgs(virtual_router_id=config.get_int("virtualRouterId") or 51, auth_pass=config.require_secret("vrrpPassword")),
)

# rs3 is reached as "ops", a user with sudo. `address` is the RIP the directors forward to.
real_servers = {
    name: lvs.RealServer(
        name,
        connection=connection(name, "ops" if name == "rs3" else None),
        address=front_address(name),
        mode=lvs.ForwardingMode.DR,
        vips=[vip],
    )
    for name in sorted(weights)
}

web = lvs.VirtualService(
    "web",
    directors=directors,
    vip=vip,
    port=80,
    scheduler=lvs.Scheduler.WRR,
    mode=lvs.ForwardingMode.DR,
    delay_loop=2,
    health_check=lvs.HealthCheckArgs(type=lvs.HealthCheckType.HTTP, path="/health", status_code=200, connect_timeout=1, retry=1, delay_before_retry=1),
    real_servers=[lvs.RealServerEntryArgs(real_server=real_servers[name], weight=weight) for name, weight in weights.items()],
)

# Further services of the pair in one component: whatever changes among them is one command and one
# keepalived reload per director (here one service: the lab's line echo on 9000).
lvs.VirtualServiceSet(
    "more",
    directors=directors,
    services={
        "hold": lvs.ServiceSpecArgs(
            vip=vip,
            port=9000,
            scheduler=lvs.Scheduler.WRR,
            mode=lvs.ForwardingMode.DR,
            delay_loop=2,
            health_check=lvs.HealthCheckArgs(type=lvs.HealthCheckType.TCP, connect_timeout=1, retry=1, delay_before_retry=1),
            real_servers=[lvs.RealServerEntryArgs(real_server=real_servers[name], weight=1) for name in weights],
        ),
    },
)

pulumi.export("vipAddress", vip)
pulumi.export("service", web.key)
pulumi.export("weightsByServer", weights)
pulumi.export("primaryConfig", directors.configs.apply(lambda c: c["primary"]))
pulumi.export("serviceConfig", web.config)
