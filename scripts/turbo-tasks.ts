// Runs turbo tasks in every package without stopping at the first failure, then says, per task, which packages passed.
//   node scripts/turbo-tasks.ts build typecheck [-- <more turbo flags>]
// A type error in core must not hide whether the emulator, gateway and worker still compile: turbo
// runs with --continue (tsc still emits core's dist, so dependents are checked against it), and the
// run summary turbo writes (--summarize) is read back into one line per task.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface TaskSummary {
  task: string;
  package: string;
  execution?: { exitCode?: number | null };
}

const runsDir = ".turbo/runs";
const args = process.argv.slice(2);
const split = args.indexOf("--");
const tasks = split === -1 ? args : args.slice(0, split);
const extra = split === -1 ? [] : args.slice(split + 1);
if (tasks.length === 0) {
  console.error("usage: node scripts/turbo-tasks.ts <task...> [-- <turbo flags>]");
  process.exit(2);
}

const started = Date.now();
// Through pnpm, so the workspace's pinned turbo is found whether or not node_modules/.bin is on PATH.
const turbo = ["exec", "turbo", "run", ...tasks, "--continue", "--summarize", ...extra];
const run = spawnSync("pnpm", turbo, { stdio: "inherit" });
if (run.error) console.error(`turbo-tasks: could not start turbo: ${run.error.message}`);

/** The summary this run wrote: the newest file in .turbo/runs, written after we started. */
function latestSummary(): { tasks: TaskSummary[] } | null {
  const files = (() => {
    try {
      return readdirSync(runsDir).map((name) => join(runsDir, name));
    } catch {
      return [];
    }
  })();
  const newest = files
    .filter((file) => statSync(file).mtimeMs >= started - 1000)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  return newest ? (JSON.parse(readFileSync(newest, "utf8")) as { tasks: TaskSummary[] }) : null;
}

const short = (name: string) => name.replace(/^@baseten-edge\//, "");

const summary = latestSummary();
if (summary) {
  console.log("");
  for (const task of tasks) {
    const rows = summary.tasks.filter((t) => t.task === task);
    const ok = rows.filter((t) => t.execution?.exitCode === 0).map((t) => short(t.package));
    const failed = rows.filter((t) => (t.execution?.exitCode ?? 0) !== 0).map((t) => short(t.package));
    const notRun = rows.filter((t) => t.execution?.exitCode === undefined).map((t) => short(t.package));
    const parts = [
      failed.length > 0 ? `FAILED in ${failed.join(", ")}` : "",
      ok.length > 0 ? `${failed.length > 0 ? "still passes in" : "passes in"} ${ok.join(", ")}` : "",
      notRun.length > 0 ? `not run in ${notRun.join(", ")}` : "",
    ].filter(Boolean);
    console.log(`${task}: ${parts.join("; ") || "no package has this task"}`);
  }
}
process.exit(run.status ?? 1);
