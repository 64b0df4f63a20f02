// The diagnostic registry: every rule id opensips-ts reports, with the phase
// that finds it, lint's severity, a one-line description and help text.
// `Diagnostic.rule` is typed by it (a misspelled id does not compile); `check`
// orders its output by phase, `lint --list-rules`, SARIF rule metadata and
// docs/lint-rules.md are generated from it.
//
// It lives in cfg/ and not in lint/ because cfg/ already reports diagnostics
// (syntax, includes, globals) and a folder imports only from its left
// (base <- grammar <- cfg <- ... <- lint): the id type must be visible where
// the first Diagnostic is made. src/lint/codes.ts re-exports it for lint's side.
import type { Severity } from './diagnostic.js';

/**
 * parse: found while reading the cfg, in file order (OpenSIPS stops at the first one, at its line);
 * start-up: found once the whole file is read (module dependencies, route references), as OpenSIPS's start-up does;
 * lint: advice and checks only `opensips-ts lint` runs.
 */
export type Phase = 'parse' | 'start-up' | 'lint';

export interface RuleInfo {
  readonly phase: Phase;
  /** The severity `lint` reports (whatever the profile). */
  readonly severity: Severity;
  /** OpenSIPS 3.3 refuses it, yet `run` and `check` tolerate it in the default profile (a warning there). */
  readonly tolerated?: true;
  /** What the rule finds, in one line. */
  readonly description: string;
  /** Why it matters and how to fix it. */
  readonly help: string;
  /** Why conformance/lint/ has no case for it: only for rules `lint` cannot report. */
  readonly noLintCase?: string;
}

const r = (
  phase: Phase,
  severity: Severity,
  description: string,
  help: string,
  extra: Partial<RuleInfo> = {},
): RuleInfo => ({ phase, severity, description, help, ...extra });
const TOLERATED = { tolerated: true } as const;

export const RULES = {
  // --- parse: syntax and the file itself ---
  syntax: r(
    'parse',
    'error',
    'The text is not OpenSIPS 3.3 cfg syntax.',
    'The message names what was expected at that point; the hint points at the usual cause (a missing `;`, an unclosed `{` or `(`). OpenSIPS stops at the first syntax error with "parse error in FILE:LINE:COL".',
  ),
  'unterminated-string': r(
    'parse',
    'error',
    'A quoted string is never closed.',
    'Add the closing quote. A string may span lines in OpenSIPS, so the error often shows far below the opening quote.',
  ),
  'file-unreadable': r(
    'parse',
    'error',
    'The cfg file cannot be read.',
    'Check the path and the permissions; the message carries the system error (ENOENT, EACCES, EISDIR).',
  ),
  'include-not-found': r(
    'parse',
    'error',
    'An `include_file`/`import_file` names a file that does not exist.',
    'Relative names are looked up next to the including file and in the working directory; the hint lists where.',
  ),
  'include-cycle': r(
    'parse',
    'error',
    'A file includes itself, directly or through other files.',
    'Remove the include that closes the loop.',
  ),
  'include-depth': r(
    'parse',
    'error',
    'Includes nested deeper than OpenSIPS 3.3 allows (20 files, the main one included).',
    'OpenSIPS 3.3 stops with "max nested cfg files reached!"; flatten the include chain.',
  ),
  internal: r(
    'parse',
    'error',
    'opensips-ts failed on this input: a bug of opensips-ts, not of the cfg.',
    'Please report it with the cfg; `check` never turns an internal error into a verdict on the cfg.',
    { noLintCase: 'an internal error is a bug of opensips-ts; each one found gets a test where it is fixed' },
  ),
  // --- parse: pseudo-variables and placeholders ---
  'pvar-syntax': r(
    'parse',
    'error',
    'A pseudo-variable is malformed.',
    'Check the name, the brackets and the index: `$var(x)`, `$avp(name)[1]`, `$(hdr(Via)[0])`.',
  ),
  'pvar-loose-index': r(
    'parse',
    'error',
    'An index written outside `$( )`, which OpenSIPS 3.3 reads as a syntax error.',
    'Write `$(name(arg)[i])` instead of `$name(arg)[i]`.',
    TOLERATED,
  ),
  'pvar-unknown': r(
    'parse',
    'error',
    'A pseudo-variable that OpenSIPS 3.3 and the loaded modules do not define.',
    "Check the spelling; a module's pseudo-variables exist only when the module is loaded.",
  ),
  placeholder: r(
    'parse',
    'error',
    '`...` (an elision in examples) used as a statement.',
    "OpenSIPS 3.3 rejects it; the default profile runs it as an empty statement so the blog's configs run verbatim. Replace it with the statements it stands for.",
    TOLERATED,
  ),
  // --- parse: globals and sockets ---
  'legacy-global': r(
    'parse',
    'error',
    'A 1.x/2.x global parameter that OpenSIPS 3.3 no longer knows.',
    'The hint names the 3.3 replacement, if there is one (e.g. `children` became `udp_workers`).',
    TOLERATED,
  ),
  'unknown-global': r(
    'parse',
    'error',
    'An unknown global parameter.',
    'See the core parameters of OpenSIPS 3.3; a module parameter is set with `modparam()`.',
  ),
  'global-value-type': r(
    'parse',
    'error',
    'A global parameter is given a value of the wrong kind.',
    'The message says what the parameter takes (a number, a string, yes/no, ...).',
  ),
  'socket-protocol': r(
    'parse',
    'error',
    'A socket definition without a protocol, or with one OpenSIPS cannot handle.',
    'Write `socket=udp:HOST:PORT` (or tcp:, tls:, ws:, wss:, sctp:, hep_udp:, hep_tcp:, bin:).',
  ),
  'legacy-listen': r(
    'parse',
    'warning',
    '`listen=` is the deprecated spelling of `socket=`.',
    'OpenSIPS 3.3 accepts it with a warning; write `socket=`.',
  ),
  'legacy-use-children': r(
    'parse',
    'error',
    '`use_children` is the 2.x spelling of `use_workers`.',
    'OpenSIPS 3.3 rejects it; write `use_workers`.',
    TOLERATED,
  ),
  // --- parse: route blocks and statements ---
  'route-name': r(
    'parse',
    'error',
    'A route block has a missing, extra or malformed name.',
    '`route`, `failure_route`, `onreply_route`, `branch_route`, `event_route` and `timer_route` take a name (timer_route also an interval); `startup_route`, `error_route` and `local_route` take none.',
  ),
  'route-empty': r(
    'parse',
    'error',
    'A route block with no statement.',
    "OpenSIPS 3.3's grammar needs at least one statement: put `;` or `exit;` in it.",
  ),
  'route-duplicate': r(
    'parse',
    'error',
    'A route block is defined twice.',
    'Rename or merge the two blocks; the hint gives the first definition.',
  ),
  'break-outside-loop': r(
    'parse',
    'error',
    '`break` outside `switch`, `while` or `for`.',
    'To leave a route use `exit;` or `return;`.',
  ),
  'foreach-iterator': r(
    'parse',
    'error',
    'The iterator of `for (... in ...)` is not a `$var`, `$avp` or `$json`.',
    'Iterate with a script variable: `for ($var(x) in $avp(list))`.',
  ),
  'switch-no-case': r(
    'parse',
    'error',
    'A `switch` without any `case`.',
    'Add a `case`, or replace the switch with its default statements.',
  ),
  'compare-operands': r(
    'parse',
    'error',
    'A comparison whose right side the operator cannot take.',
    '`=~`/`!~` need a string or a pseudo-variable; only `==` and `!=` compare with NULL or a network address.',
  ),
  'folded-string': r(
    'parse',
    'error',
    'Adjacent strings outside xlog()/xdbg().',
    'Only xlog() and xdbg() join adjacent string literals; join them into one string.',
  ),
  'assign-transformation': r(
    'parse',
    'error',
    'A transformation on the left side of an assignment.',
    'Assign to the plain variable; transformations apply to values that are read.',
  ),
  'assign-null': r(
    'parse',
    'error',
    'NULL assigned with an operator other than `=` or `:=`.',
    'Use `$var(x) = NULL;` to delete a value.',
  ),
  'command-arguments': r(
    'parse',
    'error',
    'A core statement (drop, exit, return, force_rport, ...) with arguments it does not take.',
    'The message gives the accepted form.',
  ),
  'bare-word-argument': r(
    'parse',
    'error',
    'A function argument that is a bare word.',
    'Function arguments are quoted strings, numbers or pseudo-variables: quote it.',
  ),
  'null-argument': r(
    'parse',
    'error',
    'NULL passed as a function argument.',
    'Leave the slot empty instead: `f(a, , c)`.',
  ),
  'bad-regex': r(
    'parse',
    'error',
    'A regular expression that does not compile.',
    'OpenSIPS compiles regular expressions (POSIX extended) when it reads the cfg; fix the pattern.',
  ),
  'readonly-assign': r(
    'parse',
    'error',
    'An assignment to a read-only pseudo-variable.',
    'Only writable variables ($var, $avp, $ru, $du, $rU, ...) can be assigned; a header is changed with append_hf/remove_hf.',
  ),
  // --- parse: modules, parameters, functions ---
  'module-duplicate': r('parse', 'error', 'A module loaded twice.', 'Remove the second `loadmodule`.'),
  'unknown-module': r(
    'parse',
    'error',
    '`loadmodule` of a module that does not exist in OpenSIPS 3.3.',
    'Check the name against `opensips-ts modules`; 1.x modules such as mysql.so or xlog.so were renamed or merged into the core.',
  ),
  'modparam-regex': r(
    'parse',
    'error',
    'The module part of `modparam()` is not a valid regular expression.',
    'Fix the pattern, or write the module name.',
  ),
  'modparam-no-module': r(
    'parse',
    'error',
    '`modparam()` for a module that is not loaded (at that point of the file).',
    'Load the module with `loadmodule` above the `modparam`.',
  ),
  'modparam-unknown': r(
    'parse',
    'error',
    '`modparam()` with a parameter the module does not have.',
    'OpenSIPS 3.3 stops with "Parameter <p> not found in module <m> - can\'t set"; check the spelling against `opensips-ts modules NAME`.',
  ),
  'modparam-type': r(
    'parse',
    'error',
    '`modparam()` with a number where the parameter takes a string, or the reverse.',
    'Quote string values; write numbers without quotes.',
  ),
  'unknown-function': r(
    'parse',
    'error',
    'A call to a function that no OpenSIPS 3.3 module exports.',
    'Check the spelling against `opensips-ts modules`.',
  ),
  'missing-loadmodule': r(
    'parse',
    'error',
    'A call to a function whose module is not loaded.',
    'OpenSIPS 3.3 stops with "unknown command <f>, missing loadmodule?". The default profile of `run` and `check` loads the module with default parameters; add the `loadmodule` line.',
    TOLERATED,
  ),
  // --- start-up ---
  'missing-transport': r(
    'start-up',
    'error',
    'A socket whose transport module (proto_udp, proto_tcp, ...) is not loaded.',
    'OpenSIPS 3.3 refuses to start; the default profile loads it. Add `loadmodule "proto_udp.so"` (or the protocol\'s module).',
    TOLERATED,
  ),
  'missing-dependency': r(
    'start-up',
    'error',
    'A module whose hard dependency is not loaded.',
    'OpenSIPS 3.3 refuses to start ("module X depends on Y"); the default profile loads the dependency. Add its `loadmodule`.',
    TOLERATED,
  ),
  'route-undefined': r(
    'start-up',
    'error',
    '`route(name)` calls a route that is not defined.',
    'OpenSIPS 3.3 refuses to start; the default profile runs the call as an empty route returning 1. Define `route[name] { ... }`.',
    TOLERATED,
  ),
  'route-armed-undefined': r(
    'start-up',
    'error',
    't_on_failure/t_on_reply/t_on_branch arms a route that is not defined.',
    'OpenSIPS 3.3 refuses to start; define the route block or fix the name.',
  ),
  'no-main-route': r(
    'start-up',
    'warning',
    'The cfg has no main `route { }`.',
    'Every request is dropped without one.',
  ),
  'event-route-unknown': r(
    'start-up',
    'error',
    'An `event_route` for an event that nothing publishes.',
    'OpenSIPS 3.3 refuses to start ("Event X not registered"); load the module that publishes it or fix the name.',
  ),
  'event-route-not-loaded': r(
    'start-up',
    'warning',
    'An `event_route` while the event_route module is not loaded.',
    'The route never runs (OpenSIPS 3.3 ignores it the same way); add `loadmodule "event_route.so"`.',
  ),
  'mid-registrar-sql-only': r(
    'start-up',
    'error',
    'mid_registrar with usrloc in sql-only mode (db_mode 3).',
    "OpenSIPS 3.3 refuses to start: mid_registrar needs usrloc's memory cache. Use db_mode 1 or 2.",
  ),
  'not-native': r(
    'start-up',
    'error',
    'A function with no native implementation in opensips-ts yet (`run` only).',
    '`opensips-ts modules NAME` lists what runs natively; `dry-run --stub f=RC` simulates a function.',
    { noLintCase: 'reported by `run` at start-up, not by lint: the cfg is valid for OpenSIPS' },
  ),
  'socket-not-local': r(
    'start-up',
    'error',
    'A socket address that is not on this host (`run` only).',
    'Map it to a local address with `--map FROM=TO[:PORT]`.',
    { noLintCase: 'reported by `run` when it binds sockets, not by lint' },
  ),
  'url-unsupported': r(
    'start-up',
    'error',
    'A database URL opensips-ts cannot open (`run` only): a scheme other than sqlite://, mysql:// or postgres://, or a malformed URL.',
    'OpenSIPS refuses to start when a module cannot bind its database; use one of the supported backends.',
    {
      noLintCase:
        'reported by `run` and `run --check`, not by lint: the cfg may be valid for an OpenSIPS with that backend',
    },
  ),
  'scenario-modparam': r(
    'start-up',
    'error',
    'A scenario overrides parameters of a module its cfg does not load (`dry-run --scenario` only).',
    'Load the module in the cfg or drop the override from the scenario.',
    { noLintCase: 'reported by scenario files, not by lint' },
  ),
  // --- lint: function calls ---
  'argument-count': r(
    'lint',
    'error',
    'A function called with too few or too many arguments.',
    "The message gives the function's arity from the module's export table.",
  ),
  'argument-type': r(
    'lint',
    'error',
    'A function argument of a kind the parameter does not take.',
    'Some parameters take only a static string, a number, or a variable to write into.',
  ),
  'argument-value': r(
    'lint',
    'error',
    'A function argument whose value the module rejects (a flag letter, a log level, a code).',
    "The message gives the accepted values, as the module's fixup checks them when OpenSIPS starts.",
  ),
  'route-type': r(
    'lint',
    'error',
    'A function called in a route type that does not allow it.',
    'The message gives the route() chain that leads there; the hint lists the route types the function is allowed in.',
  ),
  'unknown-transformation': r(
    'lint',
    'error',
    'An unknown transformation class or method.',
    'Check the name: `{s.len}`, `{uri.user}`, `{param.value,name}`...',
  ),
  'modparam-value': r(
    'lint',
    'error',
    'A module parameter value the module rejects.',
    'The message gives the accepted values.',
  ),
  'socket-duplicate': r('lint', 'error', 'The same socket declared twice.', 'Remove one of the `socket=` lines.'),
  'socket-undeclared': r(
    'lint',
    'error',
    'force_send_socket() or `$socket_out` names a socket the cfg does not declare.',
    'OpenSIPS 3.3 refuses to start on force_send_socket ("opensips doesn\'t listen on it") and ignores the `$socket_out` assignment at run time ("no socket found to match"); `run` tolerates both and sends from the receiving socket. Declare the socket or fix the address.',
  ),
  // --- lint: return codes ---
  'retcode-switch': r(
    'lint',
    'warning',
    '`switch ($retcode)` that does not follow a function call.',
    '$retcode is the code of the last statement that set one; test it right after the call.',
  ),
  'retcode-case-impossible': r(
    'lint',
    'warning',
    'A `case` for a return code the function never returns.',
    'The hint lists the codes it does return.',
  ),
  'retcode-after-log': r(
    'lint',
    'warning',
    '`$rc`/`$retcode` read after an xlog(), which reset it.',
    'xlog() returns 1: save the code in a `$var` right after the call you mean.',
  ),
  // --- lint: routes and flow ---
  'route-unreachable': r('lint', 'warning', 'A route block nothing calls or arms.', 'Remove it, or call it.'),
  'unreachable-code': r(
    'lint',
    'warning',
    'A statement after exit/return/drop that never runs.',
    'Remove it or move it above.',
  ),
  'flag-never-set': r(
    'lint',
    'warning',
    'A flag tested but never set.',
    'The test is always false; set the flag where it applies or remove the test.',
  ),
  'flag-never-tested': r(
    'lint',
    'warning',
    'A flag set but never tested, and no module parameter names it.',
    'Remove the setflag, or use the flag.',
  ),
  'variable-never-written': r(
    'lint',
    'warning',
    'A `$var`/`$avp` read but never written.',
    'It is always NULL; check the name.',
  ),
  // --- lint: mid_registrar ---
  'mid-registrar-no-throttling': r(
    'lint',
    'warning',
    'mid_registrar in a mode that throttles nothing.',
    'The hint explains which parameter makes mid_registrar absorb refreshes.',
  ),
  'mid-registrar-relay-absorbed': r(
    'lint',
    'warning',
    'A REGISTER that mid_registrar_save absorbed (code 2) is relayed anyway.',
    'On code 2 mid_registrar already answered: just `break` (the blog cfg does).',
  ),
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES).sort() as RuleId[];

export function ruleInfo(id: RuleId): RuleInfo {
  return RULES[id];
}

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}
