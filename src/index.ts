export { LvsDirectorPair, type LvsDirectorPairArgs, type VrrpArgs, type TrackScriptArgs, type NotifyArgs, type InsideArgs, type OneNicNatArgs, type DirectorNode,
    type EmailAlertsArgs, type SmtpServerArgs, type GlobalDefsArgs, type RouterIdsArgs } from "./components/LvsDirectorPair";
export {
    VirtualService, type VirtualServiceArgs, type RealServerEntryArgs, type HealthCheckArgs,
    type TcpCheckArgs, type HttpCheckArgs, type MiscCheckArgs, type DnsCheckArgs, type UdpCheckArgs, type PingCheckArgs,
} from "./components/VirtualService";
export { RealServer, type RealServerArgs } from "./components/RealServer";
export type { ConnectionArgs, JumpHostArgs } from "./components/connection";
export { LvsValidationError, type Problem } from "./model/errors";
export type { Scheduler, ForwardingMode, Protocol } from "./model/primitives";
export type { DirectorRole } from "./render/keepalivedMain";
