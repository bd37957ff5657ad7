// The default example (examples/lab-dr) in Go, on the local lab, through the component package.
//
// Generate its SDK once: `pulumi package add ../../plugin` (writes sdks/pulumi-lvs and a replace line in go.mod).
// Stack config, as for examples/lab-dr:
//
//	lab:hosts        the lab's hosts (the JSON of `npm run lab -- status --json`)
//	lab:privateKey   the lab's SSH key (secret)
//	vrrpPassword     the VRRP password, at most 8 characters (secret)
//	weights          optional: the web service's wrr weight of any real server, e.g. {"rs1": 5}
//	virtualRouterId  optional, defaults to 51
package main

import (
	"fmt"
	"sort"
	"strings"

	lvs "example.com/pulumi-pulumi-lvs/sdk/go/pulumilvs"
	"example.com/pulumi-pulumi-lvs/sdk/go/pulumilvs/host"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

type labHost struct {
	Name string `json:"name"`
	SSH  struct {
		Host string `json:"host"`
		Port int    `json:"port"`
		User string `json:"user"`
	} `json:"ssh"`
	Addresses []struct {
		Segment string `json:"segment"`
		Address string `json:"address"`
	} `json:"addresses"`
}

const vip = "10.201.0.100"

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		lab := config.New(ctx, "lab")
		cfg := config.New(ctx, "")
		var list []labHost
		lab.RequireObject("hosts", &list)
		hosts := map[string]labHost{}
		for _, h := range list {
			hosts[h.Name] = h
		}
		privateKey := lab.RequireSecret("privateKey")
		// The lab's DR real servers and their default weights in the web service.
		weights := map[string]int{"rs1": 3, "rs2": 2, "rs3": 1}
		var overrides map[string]int
		_ = cfg.TryObject("weights", &overrides)
		for name, w := range overrides {
			if _, ok := weights[name]; !ok {
				return fmt.Errorf("config weights.%s: the real servers are rs1, rs2, rs3", name)
			}
			weights[name] = w
		}
		names := make([]string, 0, len(weights))
		for name := range weights {
			names = append(names, name)
		}
		sort.Strings(names)

		connection := func(name, user string) host.ConnectionArgs {
			ssh := hosts[name].SSH
			if user == "" {
				user = ssh.User
			}
			return host.ConnectionArgs{Host: pulumi.String(ssh.Host), Port: pulumi.Float64(float64(ssh.Port)), User: pulumi.String(user), PrivateKey: privateKey}
		}
		frontAddress := func(name string) string {
			for _, a := range hosts[name].Addresses {
				if a.Segment == "front" && !strings.Contains(a.Address, ":") {
					return a.Address
				}
			}
			return ""
		}

		routerID := cfg.GetInt("virtualRouterId")
		if routerID == 0 {
			routerID = 51
		}
		directors, err := lvs.NewLvsDirectorPair(ctx, "lb", &lvs.LvsDirectorPairArgs{
			Primary:   connection("dir1", ""),
			Secondary: connection("dir2", ""),
			Interface: pulumi.String("eth0"),
			Vips:      pulumi.StringArray{pulumi.String(vip)},
			Vrrp:      &lvs.VrrpArgs{VirtualRouterId: pulumi.Float64(float64(routerID)), AuthPass: cfg.RequireSecret("vrrpPassword")},
		})
		if err != nil {
			return err
		}

		// rs3 is reached as "ops", a user with sudo. Address is the RIP the directors forward to.
		realServers := map[string]*lvs.RealServer{}
		for _, name := range names {
			user := ""
			if name == "rs3" {
				user = "ops"
			}
			rs, err := lvs.NewRealServer(ctx, name, &lvs.RealServerArgs{
				Connection: connection(name, user),
				Address:    pulumi.String(frontAddress(name)),
				Mode:       lvs.ForwardingModeDR,
				Vips:       pulumi.StringArray{pulumi.String(vip)},
			})
			if err != nil {
				return err
			}
			realServers[name] = rs
		}

		entries := func(weight func(string) int) lvs.RealServerEntryArray {
			var out lvs.RealServerEntryArray
			for _, name := range names {
				out = append(out, lvs.RealServerEntryArgs{RealServer: realServers[name], Weight: pulumi.Float64(float64(weight(name)))})
			}
			return out
		}
		web, err := lvs.NewVirtualService(ctx, "web", &lvs.VirtualServiceArgs{
			Directors:   directors,
			Vip:         pulumi.String(vip),
			Port:        pulumi.Float64(80),
			Scheduler:   lvs.SchedulerWRR,
			Mode:        lvs.ForwardingModeDR,
			DelayLoop:   pulumi.Float64(2),
			HealthCheck: lvs.HealthCheckArgs{Type: lvs.HealthCheckTypeHTTP, Path: pulumi.String("/health"), StatusCode: pulumi.Float64(200), ConnectTimeout: pulumi.Float64(1), Retry: pulumi.Float64(1), DelayBeforeRetry: pulumi.Float64(1)},
			RealServers: entries(func(name string) int { return weights[name] }),
		})
		if err != nil {
			return err
		}
		// Further services of the pair in one component: whatever changes among them is one command and one
		// keepalived reload per director (here one service: the lab's line echo on 9000).
		_, err = lvs.NewVirtualServiceSet(ctx, "more", &lvs.VirtualServiceSetArgs{
			Directors: directors,
			Services: map[string]lvs.ServiceSpecInput{
				"hold": lvs.ServiceSpecArgs{
					Vip:         pulumi.String(vip),
					Port:        pulumi.Float64(9000),
					Scheduler:   lvs.SchedulerWRR,
					Mode:        lvs.ForwardingModeDR,
					DelayLoop:   pulumi.Float64(2),
					HealthCheck: lvs.HealthCheckArgs{Type: lvs.HealthCheckTypeTCP, ConnectTimeout: pulumi.Float64(1), Retry: pulumi.Float64(1), DelayBeforeRetry: pulumi.Float64(1)},
					RealServers: entries(func(string) int { return 1 }),
				},
			},
		})
		if err != nil {
			return err
		}

		ctx.Export("vipAddress", pulumi.String(vip))
		ctx.Export("service", web.Key)
		ctx.Export("serviceConfig", web.Config)
		return nil
	})
}
