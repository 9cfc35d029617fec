// A throwaway Redis for tests: Debian's redis-server (installed with apt when missing and root), on a free loopback port, no persistence.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { aptInstall, freePort, type Started, start } from "./processes.ts";

const SERVER = "/usr/bin/redis-server";

/** redis-server's path, installing Debian's package first when it is missing and this is root. */
export async function ensureRedisServer(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (existsSync(SERVER)) return SERVER;
  if (process.getuid?.() !== 0)
    throw new Error(`${SERVER} is missing and this is not root: apt-get install -y redis-server`);
  await aptInstall(["redis-server"], env);
  if (!existsSync(SERVER)) throw new Error(`apt-get installed redis-server, yet ${SERVER} is missing`);
  return SERVER;
}

export interface RedisServer extends Started {
  /** `redis://127.0.0.1:<port>` */
  url: string;
}

/** Starts a private redis-server (no snapshots, no append-only file); `stop()` ends it. */
export async function startRedis(): Promise<RedisServer> {
  const server = await ensureRedisServer();
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const started = await start(server, [...args, "--dir", tmpdir(), "--loglevel", "notice"], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH },
    timeoutMs: 15_000,
    ready: /Ready to accept connections/,
  });
  return { ...started, url: `redis://127.0.0.1:${port}` };
}
