// The management interface: MI commands by name, called with JSON-RPC 2.0
// envelopes as OpenSIPS's mi_http answers them (modules.md §12).
import type { Runtime } from '../script/runtime.js';

export class MiError extends Error {
  constructor(readonly code: number, message: string, readonly data?: string) { super(message); }
}

export type MiParams = Record<string, unknown> | unknown[] | undefined;
export interface MiCommand {
  /** Parameter names in positional order; several recipes when the command has variants. */
  recipes: string[][];
  run(params: Record<string, unknown>, rt: Runtime): unknown;
}

export class MiRegistry {
  readonly commands = new Map<string, MiCommand>();

  add(name: string, cmd: MiCommand): void {
    this.commands.set(name, cmd);
  }

  /** Positional params are matched to the recipe with as many parameters. */
  private named(cmd: MiCommand, params: MiParams): Record<string, unknown> {
    if (params === undefined) {
      if (!cmd.recipes.some((r) => r.length === 0)) throw new MiError(-32602, 'Invalid params', 'Too few or too many parameters');
      return {};
    }
    if (Array.isArray(params)) {
      const recipe = cmd.recipes.find((r) => r.length === params.length);
      if (!recipe) throw new MiError(-32602, 'Invalid params', 'Too few or too many parameters');
      return Object.fromEntries(recipe.map((k, i) => [k, params[i]]));
    }
    const keys = Object.keys(params);
    if (!cmd.recipes.some((r) => keys.every((k) => r.includes(k)) && r.every((k) => keys.includes(k)))) {
      throw new MiError(-32602, 'Invalid params', 'Too few or too many parameters');
    }
    return params;
  }

  /** One JSON-RPC request object in, one response object out (undefined for a notification). */
  handle(request: unknown, rt: Runtime): Record<string, unknown> | undefined {
    const req = request as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
    const id = req && typeof req === 'object' && 'id' in req ? req.id : null;
    const fail = (e: MiError): Record<string, unknown> => ({ jsonrpc: '2.0', error: { code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) }, id });
    if (!req || typeof req !== 'object' || req.jsonrpc !== '2.0' || typeof req.method !== 'string') return fail(new MiError(-32600, 'Invalid Request'));
    const cmd = this.commands.get(req.method);
    if (!cmd) return fail(new MiError(-32601, 'Method not found'));
    try {
      const result = cmd.run(this.named(cmd, req.params as MiParams), rt);
      return 'id' in req ? { jsonrpc: '2.0', result, id } : undefined;
    } catch (err) {
      if (err instanceof MiError) return fail(err);
      return fail(new MiError(-32000, 'Server error', (err as Error).message));
    }
  }
}
