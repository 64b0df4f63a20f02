// The management interface's shapes: an MI command (parameter recipes and a
// handler), its errors, and the registry that answers JSON-RPC 2.0 envelopes
// as OpenSIPS's mi_http and mi_fifo do (modules.md §12). Generic over what a
// handler receives (the Runtime), so modules declare commands in their export
// tables and transports (net/) serve them through an MiExecutor without
// importing the core or the script layer.

export class MiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

export type MiParams = Record<string, unknown> | unknown[] | undefined;

export interface MiCommand<R> {
  /** Parameter names in positional order; several recipes when the command has variants. */
  recipes: string[][];
  run(params: Record<string, unknown>, rt: R): unknown;
}

/** An MI command as a module's export table declares it (OpenSIPS's mi_export_t). */
export interface MiExport<R> extends MiCommand<R> {
  name: string;
  /** One line for `opensips-ts modules NAME` and `help`. */
  help?: string;
}

/** The registry's side: one JSON-RPC request object in, run against instance `rt`, one response object out. */
export interface MiHandler<R> {
  handle(request: unknown, rt: R): Record<string, unknown> | undefined;
}

/**
 * What an MI transport (net/) serves: the commands of one running instance,
 * so that a transport knows neither the instance's type nor the core.
 */
export interface MiExecutor {
  /** One JSON-RPC request object in, one response object out (undefined for a notification). */
  execute(request: unknown): Record<string, unknown> | undefined;
}

/** The executor of `handler`'s commands on instance `rt`. */
export function miExecutor<R>(handler: MiHandler<R>, rt: R): MiExecutor {
  return { execute: (request) => handler.handle(request, rt) };
}

export class MiRegistry<R> implements MiHandler<R> {
  /** Commands every instance has (the core's). */
  readonly commands = new Map<string, MiCommand<R>>();

  /** `more` gives the commands that depend on the instance: those of its loaded modules. */
  constructor(private readonly more: (rt: R) => ReadonlyMap<string, MiCommand<R>> = () => new Map()) {}

  add(name: string, cmd: MiCommand<R>): void {
    this.commands.set(name, cmd);
  }

  /** The command `name` as `rt` has it, core first. */
  lookup(name: string, rt: R): MiCommand<R> | undefined {
    return this.commands.get(name) ?? this.more(rt).get(name);
  }

  /** Every command name `rt` answers, sorted (the `which` command). */
  names(rt: R): string[] {
    return [...new Set([...this.commands.keys(), ...this.more(rt).keys()])].sort();
  }

  /** Positional params are matched to the recipe with as many parameters. */
  private named(cmd: MiCommand<R>, params: MiParams): Record<string, unknown> {
    if (params === undefined) {
      if (!cmd.recipes.some((r) => r.length === 0))
        throw new MiError(-32602, 'Invalid params', 'Too few or too many parameters');
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
  handle(request: unknown, rt: R): Record<string, unknown> | undefined {
    const req = request as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
    const id = req && typeof req === 'object' && 'id' in req ? req.id : null;
    const fail = (e: MiError): Record<string, unknown> => ({
      jsonrpc: '2.0',
      error: { code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) },
      id,
    });
    if (!req || typeof req !== 'object' || req.jsonrpc !== '2.0' || typeof req.method !== 'string')
      return fail(new MiError(-32600, 'Invalid Request'));
    const cmd = this.lookup(req.method, rt);
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
