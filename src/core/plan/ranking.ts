import type { FileScan } from './scan';
import { nameKey } from './scan';

/**
 * Which files matter to a task: a personalised PageRank over the graph of "file A uses a name file B declares",
 * restarting at the files the task points to (named paths and identifiers, the active file, the selection, matching
 * words). Files the rest of the code leans on rank high even when the task does not name them; files nothing points
 * to rank by how well they match alone.
 *
 * The graph depends on the files alone, the restarts on the task: the graph of a workspace is kept in memory while
 * its scans are unchanged (`key`), so a re-plan only adds the task's restart links and runs PageRank.
 */
export interface RankInput {
  /** Every file that can be ranked (listed, not a lockfile or binary). */
  files: string[];
  /** Cheap scans of the source files among them. */
  scans: Map<string, FileScan>;
  /** Changes whenever `files` or `scans` do: the graph built for the same key is reused. */
  key: string;
  /** Restart weights: how strongly the task points at each file (absent = not at all). */
  seeds: Map<string, number>;
}

export interface Ranking {
  /** A score per file, summing to 1 over all files. */
  rank: Map<string, number>;
  /** Files using each name, by `nameKey`. */
  users: Map<number, string[]>;
}

/**
 * The link graph in compressed rows: node i's links are `targets[starts[i]..starts[i+1])` with their `weights`
 * already divided by the node's out-weight. Files are nodes 0..n-1 in `files` order; the teleport node is n.
 */
interface LinkGraph {
  key: string;
  files: string[];
  index: Map<string, number>;
  starts: Uint32Array;
  targets: Uint32Array;
  weights: Float64Array;
  users: Map<number, string[]>;
}

/** A name declared in this many files or more links nothing in particular (`index`, `render`, `Props`). */
const MAX_DEFINERS = 40;
/** A file's strongest links kept: past these, links are too weak to move a rank and cost graph building time. */
const MAX_LINKS = 30;
/** Share of each step that restarts at the task's seeds. */
const RESTART = 0.15;
/** A small uniform jump, so that the restarts go to the seeds rather than anywhere. */
const UNIFORM_JUMP = 0.01;
const MAX_ITERATIONS = 300;
const TOLERANCE = 1e-9;

let last: LinkGraph | undefined;

function nameWeight(name: string, definers: number): number {
  let w = 1;
  // A long, specific name (parseDocument, MESSAGE_LIMIT) says more about a link than a short one (run, get).
  if (name.length >= 8 && /[a-z][A-Z]|_/.test(name)) {
    w *= 3;
  }
  if (name.startsWith('_')) {
    w *= 0.1;
  }
  if (definers > 5) {
    w *= 0.1;
  }
  return w;
}

export function rankFiles(input: RankInput): Ranking {
  if (input.files.length === 0) {
    return { rank: new Map(), users: new Map() };
  }
  if (last?.key !== input.key) {
    last = undefined; // let the old graph go before the new one is built
    last = linkGraph(input);
  }
  return { rank: personalisedPageRank(last, input.files, input.seeds), users: last.users };
}

/**
 * Every file links to the files declaring the names it uses (weighted by how specific a name is, shared among its
 * declarers), keeping its strongest links; and to a teleport node with a share RESTART of its outgoing weight (all of
 * it for a file that links nowhere). Only a small share of each step jumps uniformly: the teleport node's links to
 * the seeds, added per task, make the PageRank personalised.
 */
function linkGraph(input: RankInput): LinkGraph {
  // By the key of each name, as the scans keep the names they use: the name itself is kept for its weight.
  const definers = new Map<number, { name: string; files: string[] }>();
  for (const [rel, scan] of input.scans) {
    for (const d of scan.defs) {
      const key = nameKey(d.name);
      const entry = definers.get(key);
      if (!entry) {
        definers.set(key, { name: d.name, files: [rel] });
      } else if (entry.files.at(-1) !== rel) {
        entry.files.push(rel);
      }
    }
  }
  const users = new Map<number, string[]>();
  const files = input.files;
  const index = new Map(files.map((f, i) => [f, i]));
  const teleport = files.length;
  const starts = new Uint32Array(files.length + 2);
  const targets: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const rel = files[i] as string;
    const scan = input.scans.get(rel);
    let out = new Map<string, number>();
    for (const key of scan?.refs ?? []) {
      const entry = definers.get(key);
      if (!entry || entry.files.length >= MAX_DEFINERS) {
        continue;
      }
      const defs = entry.files;
      const list = users.get(key);
      if (list) {
        list.push(rel);
      } else {
        users.set(key, [rel]);
      }
      const w = nameWeight(entry.name, defs.length) / defs.length;
      for (const target of defs) {
        if (target !== rel) {
          out.set(target, (out.get(target) ?? 0) + w);
        }
      }
    }
    if (out.size > MAX_LINKS) {
      out = new Map([...out].sort((a, b) => b[1] - a[1]).slice(0, MAX_LINKS));
    }
    starts[i] = targets.length;
    let total = 0;
    for (const [target, w] of out) {
      const t = index.get(target);
      if (t !== undefined) {
        targets.push(t);
        weights.push(w);
        total += w;
      }
    }
    // The restart link: a share RESTART of the file's outgoing weight (all of it for a file that links nowhere).
    const restart = total > 0 ? (total * RESTART) / (1 - RESTART) : 1;
    targets.push(teleport);
    weights.push(restart);
    total += restart;
    for (let j = starts[i] as number; j < weights.length; j++) {
      weights[j] = (weights[j] as number) / total;
    }
  }
  starts[teleport] = targets.length;
  return {
    key: input.key,
    files,
    index,
    starts,
    targets: Uint32Array.from(targets),
    weights: Float64Array.from(weights),
    users,
  };
}

/**
 * PageRank by power iteration over the kept graph, with the teleport node's links to the task's seeds (weighted, and
 * normalised like any node's) as the restart: the same iteration as graphology's `pagerank` (a node without links
 * spreads evenly; a uniform jump of UNIFORM_JUMP), without rebuilding an index of the graph for every task.
 */
function personalisedPageRank(g: LinkGraph, files: string[], seeds: Map<string, number>): Map<string, number> {
  const n = g.files.length + 1;
  const teleport = g.files.length;
  let seedTargets: Array<[number, number]> = [];
  for (const [f, w] of seeds) {
    const i = g.index.get(f);
    if (w > 0 && i !== undefined) {
      seedTargets.push([i, w]);
    }
  }
  if (seedTargets.length === 0) {
    seedTargets = g.files.map((_, i) => [i, 1]); // nothing to start from: every file alike, a plain PageRank
  }
  const seedTotal = seedTargets.reduce((sum, [, w]) => sum + w, 0);
  const alpha = 1 - UNIFORM_JUMP;
  const p = 1 / n;
  let x = new Float64Array(n).fill(p);
  let next = new Float64Array(n);
  let converged = false;
  for (let iteration = 0; iteration < MAX_ITERATIONS && !converged; iteration++) {
    next.fill(0);
    for (let i = 0; i < teleport; i++) {
      const share = alpha * (x[i] as number);
      for (let j = g.starts[i] as number, end = g.starts[i + 1] as number; j < end; j++) {
        const t = g.targets[j] as number;
        next[t] = (next[t] as number) + share * (g.weights[j] as number);
      }
    }
    const fromTeleport = alpha * (x[teleport] as number);
    for (const [t, w] of seedTargets) {
      next[t] = (next[t] as number) + (fromTeleport * w) / seedTotal;
    }
    let error = 0;
    for (let i = 0; i < n; i++) {
      next[i] = (next[i] as number) + (1 - alpha) * p;
      error += Math.abs((next[i] as number) - (x[i] as number));
    }
    [x, next] = [next, x];
    converged = error < n * TOLERANCE;
  }
  // Not converged (it should, with a restart on every step): rank by the seeds alone rather than fail the plan.
  const scoreOf = converged
    ? (f: string): number => x[g.index.get(f) ?? -1] ?? 0
    : (f: string): number => seeds.get(f) ?? 0;
  const rank = new Map<string, number>();
  let sum = 0;
  for (const f of files) {
    const s = scoreOf(f);
    rank.set(f, s);
    sum += s;
  }
  for (const [f, s] of rank) {
    rank.set(f, sum > 0 ? s / sum : 1 / files.length);
  }
  return rank;
}
