// The guest harness's public types (interface 1 of the session's shared interfaces).
export interface GuestFile {
  guestPath: string;
  hostPath?: string;
  data?: Uint8Array | string;
  mode?: number;
}
export interface GuestCommand {
  id: string;
  argv: string[];
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
}
export interface GuestCommandResult {
  id: string;
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}
export interface GuestBatch {
  files?: GuestFile[];
  commands: GuestCommand[];
  withNode?: boolean;
  withProject?: boolean;
  memoryMb?: number;
  timeoutMs?: number;
}
export interface GuestRun {
  kernelVersion: string;
  packageVersion: string;
  bootMs: number;
  results: GuestCommandResult[];
  console: string;
}
