// Deterministic made-up Model APIs, so pagination and caches can be tested against catalogs of any size.
import { createRandom } from "../random.ts";
import type { ModelSpec, ReasoningMode } from "./default-models.ts";

const FAMILIES = ["META", "DEEPSEEK", "QWEN", "MISTRAL", "GOOGLE", null] as const;
const CONTEXTS = [8_192, 32_768, 131_072, 262_144] as const;
const PRICES = ["0.0000001", "0.00000025", "0.0000006", "0.0000012", "0.000002"] as const;
const REASONING: readonly ReasoningMode[] = ["default", "opt-in", "none"];
const TRAITS = ["fast", "compact", "multilingual", "long-context", "coding", "instruction-tuned", "agentic"] as const;
const DAY_MS = 86_400_000;
const FIRST_RELEASE = Date.UTC(2024, 0, 1);

/** `count` synthetic models; the same `seed` always gives the same rows. */
export function syntheticModels(count: number, seed: number): ModelSpec[] {
  const random = createRandom(seed ^ 0x5eed);
  const out: ModelSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const family = random.pick(FAMILIES);
    const label = family === null ? "community" : family.toLowerCase();
    const name = `emulated-${label}-${String(i).padStart(5, "0")}`;
    const context = random.pick(CONTEXTS);
    out.push({
      name,
      inferenceId: `emulator/${name}`,
      displayName: `Emulated ${family ?? "Community"} ${i}`,
      description: `A ${random.pick(TRAITS)}, ${random.pick(TRAITS)} synthetic model served by the Baseten emulator.`,
      modelFamily: family,
      releaseDate: new Date(FIRST_RELEASE + random.int(0, 900) * DAY_MS).toISOString().slice(0, 10),
      contextLength: context,
      maxCompletionTokens: Math.min(context, 32_768),
      pricePerToken: { input: random.pick(PRICES), output: random.pick(PRICES) },
      reasoning: random.pick(REASONING),
      vision: random.next() < 0.25,
    });
  }
  return out;
}
