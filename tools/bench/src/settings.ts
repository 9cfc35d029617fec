// What a run is asked for: full (the default) or --quick, the CI smoke run.
export interface Settings {
  quick: boolean;
  /** Interleaved A/B rounds after the warm-up (at least 5). */
  rounds: number;
}
