/** The three systems of the study. */
export const SystemId = {
  /** A central y-websocket server; every device a client. */
  ClientServer: 'client-server',
  /** sship with one eligible host and `failover: false`: the plain FlyWeb case. */
  NoFaultTolerance: 'no-ft',
  /** sship with its defaults; every device eligible. */
  Sship: 'sship'
} as const
/** One of {@link SystemId}'s values. */
export type SystemId = (typeof SystemId)[keyof typeof SystemId]

/** All systems, in report order. */
export const SYSTEMS: readonly SystemId[] = [SystemId.ClientServer, SystemId.NoFaultTolerance, SystemId.Sship]
