/**
 * `veil detect --explain`: which detector (and tier) found each span, and every span that was
 * found but left out, with the reason. Offsets, types, scores and detector ids only; never the
 * text of a span.
 * @module
 */
import type { DetectorTier, Span } from '../../core/span.js';
import type { DetectionExplanation, DropReason } from '../../detect/engine.js';

const TIER_PRECISION: Record<DetectorTier, number> = { rules: 0, custom: 1, ner: 2, llm: 3 };

interface ExplainedSpan {
  readonly start: number;
  readonly end: number;
  readonly type: string;
  readonly score: number;
  readonly detector: string;
  readonly tier: DetectorTier;
}

interface ExplainedDrop extends ExplainedSpan {
  readonly reason: DropReason['kind'];
  /** Human reason, e.g. `overlap: lost to rules.email EMAIL 10-27 (longer)`. */
  readonly why: string;
  readonly threshold?: number;
  readonly winner?: ExplainedSpan;
}

export interface ExplainReport {
  readonly spans: ExplainedSpan[];
  readonly dropped: ExplainedDrop[];
  readonly detectors: { detector: string; tier: DetectorTier; found: number; ms: number }[];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Why the merge preferred `winner`: its order of tie-breaks (length, score, tier, position). */
function overlapWhy(loser: ExplainedSpan, winner: ExplainedSpan): string {
  const won =
    winner.end - winner.start > loser.end - loser.start
      ? 'longer'
      : winner.score > loser.score
        ? 'higher score'
        : TIER_PRECISION[winner.tier] < TIER_PRECISION[loser.tier]
          ? 'more precise tier'
          : 'earlier';
  return `overlap: lost to ${winner.detector} ${winner.type} ${winner.start}-${winner.end} (${won})`;
}

function describe(reason: DropReason, span: ExplainedSpan, winner: ExplainedSpan | undefined): string {
  switch (reason.kind) {
    case 'min_score':
      return `below min_score ${reason.threshold}`;
    case 'type_threshold':
      return `below threshold ${reason.threshold} for ${span.type}`;
    case 'allow_list':
      return 'allow-listed value';
    case 'overlap':
      return overlapWhy(span, winner!);
  }
}

export function explainReport(explanation: DetectionExplanation): ExplainReport {
  const tiers = new Map(explanation.detectors.map((run) => [run.detector, run.tier]));
  const plain = (span: Span): ExplainedSpan => ({
    start: span.start,
    end: span.end,
    type: span.type,
    score: round(span.score),
    detector: span.detector,
    tier: tiers.get(span.detector) ?? 'rules',
  });
  const dropped = explanation.dropped
    .map(({ span, reason }): ExplainedDrop => {
      const explained = plain(span);
      const winner = reason.kind === 'overlap' ? plain(reason.winner) : undefined;
      return {
        ...explained,
        reason: reason.kind,
        why: describe(reason, explained, winner),
        ...('threshold' in reason ? { threshold: reason.threshold } : {}),
        ...(winner === undefined ? {} : { winner }),
      };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  return {
    spans: explanation.spans.map(plain),
    dropped,
    detectors: explanation.detectors.map((run) => ({ ...run, ms: round(run.ms) })),
  };
}

function table(rows: readonly ExplainedSpan[], last: (row: ExplainedSpan) => string, lastTitle: string): string {
  const typeWidth = Math.max(4, ...rows.map((row) => row.type.length));
  const detectorWidth = Math.max(8, ...rows.map((row) => row.detector.length));
  const lines = [
    `${'START'.padStart(6)} ${'END'.padStart(6)}  ${'TYPE'.padEnd(typeWidth)}  SCORE  ${'DETECTOR'.padEnd(detectorWidth)}  TIER   ${lastTitle}`.trimEnd(),
  ];
  for (const row of rows) {
    lines.push(
      `${String(row.start).padStart(6)} ${String(row.end).padStart(6)}  ${row.type.padEnd(typeWidth)}  ${row.score.toFixed(2)}   ${row.detector.padEnd(detectorWidth)}  ${row.tier.padEnd(5)}  ${last(row)}`.trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The human form: kept spans, dropped spans with reasons, then what each detector returned. */
export function renderExplain(report: ExplainReport): string {
  let out = report.spans.length === 0 ? 'kept: none\n' : `kept (${report.spans.length}):\n${table(report.spans, () => '', '')}`;
  out +=
    report.dropped.length === 0
      ? '\ndropped: none\n'
      : `\ndropped (${report.dropped.length}):\n${table(report.dropped, (row) => (row as ExplainedDrop).why, 'WHY')}`;
  const active = report.detectors.filter((run) => run.found > 0);
  const silent = report.detectors.length - active.length;
  out += `\ndetectors: ${active.map((run) => `${run.detector} ${run.found} (${run.ms.toFixed(2)} ms)`).join(', ') || 'none found anything'}`;
  out += silent > 0 ? `; ${silent} more found nothing\n` : '\n';
  return out;
}
