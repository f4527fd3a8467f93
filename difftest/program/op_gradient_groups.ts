/**
 * `gradientGroups(events, paired)`: for each forward event of one side's traced step, the paired forward event
 * (op_alignment.ts's first pass) its gradient belongs to, so the backward ops attributed to it (OpEvent.gradOf) are
 * aligned against the other side's for the same forward pair. Pure: events in, one group per event out.
 *
 * A paired event is its own group. An unpaired one — a composite's piece (the runtime's matmul inside Linear, a
 * piece whose output the composite reports again: `sameAs`), a kernel tfjs fuses where the runtime does not (the
 * reshape around a _FusedMatMul) — belongs to the nearest paired event that reads it, through unpaired ones: its
 * gradient is part of computing that op's gradient. An event no paired event descends from has none (-1), and the
 * backward ops attributed to it pair only by their values (op_alignment.ts).
 */

export interface GroupedOp {
  inputs: readonly number[];
  phase?: string;
  sameAs?: number;
}

export function gradientGroups(events: readonly GroupedOp[], paired: ReadonlySet<number>): number[] {
  // Who reads each forward event (its output reported again first: the composite is the op it belongs to).
  const readers: number[][] = events.map(() => []);
  events.forEach((e, i) => {
    if (e.phase === 'backward') return;
    if (e.sameAs !== undefined && e.sameAs > i) readers[i].push(e.sameAs);
    for (const p of e.inputs) if (p >= 0 && p < i) readers[p].push(i);
  });
  const group = new Array<number>(events.length).fill(-1);
  // Readers come later in the trace: settled first when walking back.
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].phase === 'backward') continue;
    if (paired.has(i)) {
      group[i] = i;
      continue;
    }
    for (const r of readers[i]) {
      if (group[r] >= 0) {
        group[i] = group[r];
        break;
      }
    }
  }
  return group;
}
