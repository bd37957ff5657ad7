export { LvsDirectorPair, type LvsDirectorPairArgs, type VrrpArgs, type VrrpPrioritiesArgs, type UnicastAddressesArgs, type LvsSyncDaemonArgs, type TrackScriptArgs, type NotifyArgs,
    type InsideArgs, type OneNicNatArgs, type DirectorNode, type DirectorConfigs, type EmailAlertsArgs, type SmtpServerArgs, type GlobalDefsArgs, type RouterIdsArgs } from "./components/LvsDirectorPair";
export {
    VirtualService, type VirtualServiceArgs, type ServiceSpecArgs, type RealServerEntryArgs, type HealthCheckArgs, type FwmarkArgs, type SorryServerArgs,
    type TcpCheckArgs, type HttpCheckArgs, type MiscCheckArgs, type DnsCheckArgs, type UdpCheckArgs, type PingCheckArgs,
} from "./components/VirtualService";
export { VirtualServiceSet, type VirtualServiceSetArgs } from "./components/VirtualServiceSet";
export { RealServer, type RealServerArgs, type RealServerFirewallArgs, type FirewallPortArgs } from "./components/RealServer";
export type { ConnectionArgs, JumpHostArgs } from "./components/connectionArgs";
export { LvsValidationError, type Problem } from "./model/validationError";
export { Scheduler, ForwardingMode, Protocol, AuthType, HealthCheckType, DnsQueryType, SchedulerFlag, type DirectorRole } from "./model/names";
