// Lists the longest functions and files in the packages' sources, and fails when a function is over the limit.
//   node scripts/function-sizes.ts [--limit 80] [--top 10] [dirs...]   (default: packages/*/src)
// A function's size is its lines from signature to closing brace, nested functions included; the
// generated types are data, not code, and are left out.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import ts from "typescript";

interface Sized {
  where: string;
  name: string;
  lines: number;
}

const { values, positionals } = parseArgs({
  options: { limit: { type: "string", default: "80" }, top: { type: "string", default: "10" } },
  allowPositionals: true,
});
const limit = Number(values.limit);
const top = Number(values.top);
const root = process.cwd();
const dirs = positionals.length ? positionals : readdirSync("packages").map((name) => join("packages", name, "src"));

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name.endsWith(".generated.ts")) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function functionName(node: ts.Node, file: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(file);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(file);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(file).slice(0, 40)})`;
  return "(anonymous)";
}

function functionsIn(path: string): Sized[] {
  const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Sized[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        where: `${relative(root, path)}:${start + 1}`,
        name: functionName(node, file),
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const files = dirs.flatMap(sourceFiles);
const functions = files.flatMap(functionsIn).sort((a, b) => b.lines - a.lines);
const fileSizes = files
  .map((path) => ({ path: relative(root, path), lines: readFileSync(path, "utf8").split("\n").length }))
  .sort((a, b) => b.lines - a.lines);

console.log(`Longest functions (limit ${limit} lines):`);
for (const f of functions.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
console.log("Longest files:");
for (const f of fileSizes.slice(0, top)) console.log(`  ${String(f.lines).padStart(4)}  ${f.path}`);

const over = functions.filter((f) => f.lines > limit);
if (over.length > 0) {
  console.error(`\n${over.length} function(s) over ${limit} lines: cut them into named steps.`);
  process.exitCode = 1;
}
