// Hooks through which a dry-run watches the engine. When no tracer is set
// the engine pays one null check per statement.
import type { Span } from '../cfg/ast.js';
import type { Val } from './values.js';

export interface TraceEvent {
  kind: 'statement' | 'read' | 'call' | 'branch' | 'route' | 'log' | 'note';
  span?: Span;
  text: string;
  depth: number;
  /** For `read`: the pseudo-variable and its value; for `call`: the return code. */
  name?: string;
  value?: Val;
  rc?: number;
}

export interface Tracer {
  event(e: TraceEvent): void;
  depth: number;
}

export class RecordingTracer implements Tracer {
  readonly events: TraceEvent[] = [];
  depth = 0;
  event(e: TraceEvent): void {
    this.events.push(e);
  }
}
