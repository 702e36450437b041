import { DirectedGraph } from 'graphology';
import pagerank from 'graphology-metrics/centrality/pagerank';
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

interface LinkGraph {
  key: string;
  graph: DirectedGraph;
  users: Map<number, string[]>;
}

/** A name declared in this many files or more links nothing in particular (`index`, `render`, `Props`). */
const MAX_DEFINERS = 40;
/** A file's strongest links kept: past these, links are too weak to move a rank and cost graph building time. */
const MAX_LINKS = 30;
/** Share of each step that restarts at the task's seeds. */
const RESTART = 0.15;
/** The library's own uniform jump; small, so that the restarts go to the seeds rather than anywhere. */
const UNIFORM_JUMP = 0.01;
const TELEPORT = '\0teleport';

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
  return { rank: personalisedPageRank(last.graph, input.files, input.seeds), users: last.users };
}

/**
 * Every file links to the files declaring the names it uses (weighted by how specific a name is, shared among its
 * declarers), keeping its strongest links; and to a teleport node with a share RESTART of its outgoing weight (all of
 * it for a file that links nowhere). graphology's PageRank jumps uniformly: the teleport node's links to the seeds,
 * added per task, make it personalised.
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
  const graph = new DirectedGraph();
  for (const f of input.files) {
    graph.addNode(f);
  }
  graph.addNode(TELEPORT);
  for (const rel of input.files) {
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
    let total = 0;
    for (const [target, w] of out) {
      if (graph.hasNode(target)) {
        graph.addDirectedEdge(rel, target, { weight: w });
        total += w;
      }
    }
    graph.addDirectedEdge(rel, TELEPORT, { weight: total > 0 ? (total * RESTART) / (1 - RESTART) : 1 });
  }
  return { key: input.key, graph, users };
}

function personalisedPageRank(graph: DirectedGraph, files: string[], seeds: Map<string, number>): Map<string, number> {
  const targets = [...seeds].filter(([f, w]) => w > 0 && graph.hasNode(f));
  if (targets.length === 0) {
    for (const f of files) {
      targets.push([f, 1]); // nothing to start from: every file alike, a plain PageRank
    }
  }
  for (const [f, w] of targets) {
    graph.addDirectedEdge(TELEPORT, f, { weight: w });
  }
  let scores: Record<string, number>;
  try {
    scores = pagerank(graph, { getEdgeWeight: 'weight', alpha: 1 - UNIFORM_JUMP, maxIterations: 300, tolerance: 1e-9 });
  } catch {
    // Not converged (it should, with a restart on every step): rank by the seeds alone rather than fail the plan.
    scores = Object.fromEntries(targets);
  } finally {
    // The graph is kept for the next task: its restart links go.
    graph.outEdges(TELEPORT).forEach((e) => graph.dropEdge(e));
  }
  const rank = new Map<string, number>();
  let sum = 0;
  for (const f of files) {
    const s = scores[f] ?? 0;
    rank.set(f, s);
    sum += s;
  }
  for (const [f, s] of rank) {
    rank.set(f, sum > 0 ? s / sum : 1 / files.length);
  }
  return rank;
}
