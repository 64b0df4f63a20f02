// Shape of the committed OpenSIPS catalog (src/catalog/opensips-3.3.json).
// Produced by scripts/extract-catalog.ts from the C export tables; it holds
// only facts (names, kinds, counts, defaults, dependency names).

export type RouteType =
  'request' | 'failure' | 'onreply' | 'branch' | 'error' | 'local' | 'startup' | 'timer' | 'event';

/** value kinds a script-function parameter accepts (CMD_PARAM_INT/STR/VAR/REGEX) */
export type ParamKind = 'int' | 'str' | 'var' | 'regex';

export interface CmdParam {
  /** accepted value kinds */
  kinds: ParamKind[];
  /** CMD_PARAM_OPT */
  optional: boolean;
  /** CMD_PARAM_STATIC: no variables / format strings */
  static: boolean;
  /** CMD_PARAM_NO_EXPAND: strings are not pv-expanded */
  noExpand: boolean;
  /** CMD_PARAM_FIX_NULL: fixup runs even when the optional param is omitted */
  fixNull: boolean;
  /** the CMD_PARAM_* flag names decoded from the flags value */
  flags: string[];
  /** the flags expression as written (after expanding module-local macros) */
  raw: string;
  /** name of the fixup function, if any */
  fixup: string | null;
}

export interface ScriptFunction {
  name: string;
  params: CmdParam[];
  /**
   * positions up to and including the last mandatory parameter; optional
   * parameters before it may be passed empty (f("a", , $var))
   */
  minArgs: number;
  maxArgs: number;
  /** route types allowed to call it (empty for async functions) */
  routes: RouteType[];
  /** route flag names as written, e.g. ["ALL_ROUTES"] */
  routeFlags: string[];
  routeMask: number;
}

export type AsyncFunction = Omit<ScriptFunction, 'routes' | 'routeFlags' | 'routeMask'>;

export type ModParamType = 'int' | 'str';

export type DefaultFrom =
  | 'initializer' // resolved from the C variable's initializer
  | 'implicit-zero' // integer variable without initializer (C zero-init)
  | 'null' // pointer / str left NULL by the initializer (the module may fill one in at start-up)
  | 'function' // USE_FUNC_PARAM: set through a setter function
  | 'unresolved'; // could not be evaluated statically

export interface ModParam {
  name: string;
  /** accepted value types: INT_PARAM -> "int", STR_PARAM -> "str" */
  types: ModParamType[];
  /** USE_FUNC_PARAM: each modparam() line is handed to a setter (usually repeatable) */
  useFunc: boolean;
  /** the type expression as written */
  rawType: string;
  default: string | number | null;
  defaultFrom: DefaultFrom;
}

export type ModType = 'default' | 'sqldb' | 'cachedb' | 'aaa' | 'null';
export type DepBehaviour = 'abort' | 'warn' | 'silent';

export interface ModuleDep {
  /** module name; null for a generic dependency ("any module of modType") */
  module: string | null;
  modType: ModType;
  onMissing: DepBehaviour;
  /** DEP_* names decoded from the flags (incl. DEP_REVERSE_*) */
  flags: string[];
}

export interface ParamDep {
  /** modparam whose value triggers the dependency */
  param: string;
  /** C resolver function deciding it */
  resolver: string;
  /** dependencies the resolver can return (the condition is in C code) */
  possible: ModuleDep[];
}

export interface PseudoVar {
  name: string;
  /** PVT_* type id, or the numeric type if not symbolic */
  type: string;
  /** has a setter: may be assigned to */
  writable: boolean;
  /** parses an inner name: $name(...) */
  takesName: boolean;
  /** parses an index: $name[...] */
  takesIndex: boolean;
}

export interface Transformation {
  /** class, as in {class.method} */
  class: string;
  /** method names recognised by the class's parser (best effort) */
  methods: string[];
  /**
   * false when the parser also matches names by prefix/suffix tests that
   * were not turned into names (e.g. s.sha256_hmac): accept unknown methods
   */
  methodsComplete: boolean;
}

export interface MiCommand {
  name: string;
  /** accepted named-parameter sets */
  recipes: string[][];
}

export interface Statistic {
  name: string;
  flags: string[];
}

export interface ModuleEntry {
  /** module name as exported (exports.name) */
  name: string;
  /** directory name (modules/<dir>, or net/<dir> for the built-in transports) */
  dir: string;
  /** directory relative to the source root, e.g. "modules/tm", "net/proto_udp" */
  path: string;
  modType: ModType;
  functions: ScriptFunction[];
  asyncFunctions: AsyncFunction[];
  params: ModParam[];
  deps: { modules: ModuleDep[]; params: ParamDep[] };
  pvs: PseudoVar[];
  transformations: Transformation[];
  mi: MiCommand[];
  stats: Statistic[];
  /** extraction problems for this module (empty when clean) */
  problems: string[];
}

/** value kinds of the global-parameter grammar */
export type GlobalValueKind =
  | 'number' // NUMBER (decimal/hex/octal; yes/no/true/false/on/off/enable/disable lex as 1/0)
  | 'signed-number' // snumber: [+-]NUMBER
  | 'string' // STRING
  | 'id' // bare identifier
  | 'host' // listen_id: ip | "string" | host.name
  | 'socket' // socket_def: proto:host[:port] [params...]
  | 'alias-list' // id_lst
  | 'auto-scaling-profile'
  | 'number-with-scaling-profile' // NUMBER use_auto_scaling_profile ID
  | 'mem-group' // STRING : STRING...
  | 'blacklist' // ID : { (proto, ipnet, port, "str"), ... }
  | 'complex';

export interface GlobalParam {
  name: string;
  /** the lexer token it maps to */
  token: string;
  /** other spellings of the same token */
  aliases: string[];
  valueKinds: GlobalValueKind[];
  /**
   * the grammar's error branch asks for a boolean ("boolean value expected");
   * the value still lexes as NUMBER, and a few such params take other numbers
   */
  boolean: boolean;
  /** grammar symbol sequences accepted after '=' */
  forms: string[][];
  /** the grammar warns that the parameter is deprecated */
  deprecated: boolean;
}

export interface RemovedGlobal {
  name: string;
  /** older releases whose grammar still accepted it */
  acceptedIn: string[];
}

export interface KeywordCommand {
  /** keyword(s) as written in scripts */
  names: string[];
  token: string;
  /** grammar symbol sequences after the keyword */
  forms: string[][];
}

export interface CoreCatalog {
  functions: ScriptFunction[];
  pvs: PseudoVar[];
  transformations: Transformation[];
  globals: GlobalParam[];
  removedGlobals: RemovedGlobal[];
  /** statements the grammar handles itself (xlog, drop, exit, return, route ...) */
  keywordCommands: KeywordCommand[];
  problems: string[];
}

export interface Catalog {
  source: {
    project: 'opensips';
    /** git ref the tree was exported from */
    ref: string;
    commit: string | null;
    /** from Makefile.defs */
    version: string;
    /** macros assumed defined (default build DEFS, a few system-header constants) */
    assumedDefines: string[];
    /** older releases whose grammar was compared for removedGlobals */
    legacyCompared: string[];
  };
  core: CoreCatalog;
  modules: ModuleEntry[];
  extraction: {
    /** module paths where no exports table could be read */
    failed: string[];
    /** module paths with some problems */
    partial: string[];
  };
}
