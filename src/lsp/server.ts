// `opensips-ts lsp`: the language server, over stdio. Every open cfg is
// analysed by the same lint as `opensips-ts lint` (debounced after edits);
// hover, completion, navigation, rename, symbols, formatting and quick fixes
// read the latest analysis, redone first if the text moved on since.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { VERSION } from '../version.js';
import { codeActions } from './actions.js';
import { analyze, type Analysis } from './analysis.js';
import { completeAt, resolveCompletion } from './completion.js';
import { toLspDiagnostic } from './diagnostics.js';
import { formatDocument } from './format.js';
import { hoverAt } from './hover.js';
import { IncrementalCfgParser } from './incremental-parse.js';
import { definition, documentSymbols, lineIndexer, prepareRename, references, rename } from './navigation.js';

export interface LspSettings {
  /** Analyse under --strict (messages only: lint always reports what 3.3 refuses). */
  strict: boolean;
  /** Quiet time after an edit before the document is analysed again. */
  debounceMs: number;
}

const DEFAULTS: LspSettings = { strict: false, debounceMs: 150 };

function pathOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

class CfgLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, { version: number; analysis: Analysis }>();
  /** The last analysis of each document without a syntax error: names to complete while the text is broken. */
  private readonly lastGood = new Map<string, Analysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly parsers = new Map<string, IncrementalCfgParser>();
  /** Files each open document published diagnostics for (itself and its includes), to clear them later. */
  private readonly published = new Map<string, Set<string>>();
  private settings = DEFAULTS;

  constructor(private readonly connection: Connection) {}

  start(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    this.documents.onDidOpen((e) => this.analyseAndPublish(e.document.uri));
    this.documents.onDidChangeContent((e) => this.schedule(e.document.uri));
    this.documents.onDidClose((e) => this.close(e.document.uri));
    c.onHover((p) => this.withAnalysis(p.textDocument.uri, (a) => hoverAt(a, a.lines.offsetAt(p.position))));
    c.onCompletion((p) =>
      this.withAnalysis(p.textDocument.uri, (a) =>
        completeAt(a, a.lines.offsetAt(p.position), this.lastGood.get(p.textDocument.uri)),
      ),
    );
    c.onCompletionResolve((it) => resolveCompletion(it, this.anyLoaded()));
    c.onDefinition((p) => this.withAnalysis(p.textDocument.uri, (a) => definition(a, a.lines.offsetAt(p.position))));
    c.onReferences((p) =>
      this.withAnalysis(p.textDocument.uri, (a) =>
        references(a, a.lines.offsetAt(p.position), p.context.includeDeclaration),
      ),
    );
    c.onPrepareRename((p) =>
      this.withAnalysis(p.textDocument.uri, (a) => prepareRename(a, a.lines.offsetAt(p.position))),
    );
    c.onRenameRequest((p) =>
      this.withAnalysis(p.textDocument.uri, (a) => {
        const r = rename(a, a.lines.offsetAt(p.position), p.newName);
        if (typeof r === 'string') throw new Error(r);
        return r;
      }),
    );
    c.onDocumentSymbol((p) => this.withAnalysis(p.textDocument.uri, (a) => documentSymbols(a)));
    c.onDocumentFormatting((p) => {
      const doc = this.documents.get(p.textDocument.uri);
      return doc ? formatDocument(pathOf(doc.uri), doc.getText()) : null;
    });
    c.onCodeAction((p) =>
      this.withAnalysis(p.textDocument.uri, (a) => codeActions(a, p.textDocument.uri, p.context.diagnostics)),
    );
    this.documents.listen(c);
    c.listen();
  }

  private initialize(p: InitializeParams): InitializeResult {
    const opts = (p.initializationOptions ?? {}) as Partial<LspSettings>;
    this.settings = {
      strict: opts.strict ?? DEFAULTS.strict,
      debounceMs: typeof opts.debounceMs === 'number' ? opts.debounceMs : DEFAULTS.debounceMs,
    };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['$', '"', '(', '.'], resolveProvider: true },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'opensips-ts', version: VERSION },
    };
  }

  /** The analysis of the document's current text (made now if an edit is pending). */
  private current(uri: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const have = this.analyses.get(uri);
    if (have?.version === doc.version) return have.analysis;
    const analysis = analyze(pathOf(uri), doc.getText(), {
      strict: this.settings.strict,
      openText: (path) => this.documents.get(pathToFileURL(path).href)?.getText(),
      parser: this.parserFor(uri),
    });
    this.analyses.set(uri, { version: doc.version, analysis });
    const broken = (d: Analysis['diagnostics'][number]): boolean =>
      d.span.file === analysis.path && (d.rule === 'syntax' || d.rule === 'unterminated-string');
    if (!analysis.diagnostics.some(broken)) this.lastGood.set(uri, analysis);
    return analysis;
  }

  private parserFor(uri: string): IncrementalCfgParser {
    let p = this.parsers.get(uri);
    if (!p) this.parsers.set(uri, (p = new IncrementalCfgParser()));
    return p;
  }

  private withAnalysis<T>(uri: string, fn: (a: Analysis) => T): T | null {
    const a = this.current(uri);
    return a ? fn(a) : null;
  }

  private anyLoaded(): string[] {
    return [...new Set([...this.analyses.values()].flatMap((x) => x.analysis.index.loaded))];
  }

  private schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    if (this.settings.debounceMs <= 0) return this.analyseAndPublish(uri);
    this.timers.set(
      uri,
      setTimeout(() => this.analyseAndPublish(uri), this.settings.debounceMs),
    );
  }

  private analyseAndPublish(uri: string): void {
    this.timers.delete(uri);
    const a = this.current(uri);
    const doc = this.documents.get(uri);
    if (!a || !doc) return;
    const lines = lineIndexer(a);
    const byFile = new Map<string, ReturnType<typeof toLspDiagnostic>[]>([[a.path, []]]);
    for (const d of a.diagnostics) {
      const list = byFile.get(d.span.file) ?? [];
      list.push(toLspDiagnostic(d, lines(d.span.file)));
      byFile.set(d.span.file, list);
    }
    const before = this.published.get(uri) ?? new Set();
    const now = new Set<string>();
    for (const [file, diagnostics] of byFile) {
      const target = pathToFileURL(file).href;
      now.add(target);
      void this.connection.sendDiagnostics({
        uri: target,
        version: target === uri ? doc.version : undefined,
        diagnostics,
      });
    }
    for (const old of before) if (!now.has(old)) void this.connection.sendDiagnostics({ uri: old, diagnostics: [] });
    this.published.set(uri, now);
  }

  private close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.analyses.delete(uri);
    this.lastGood.delete(uri);
    this.parsers.delete(uri);
    for (const target of this.published.get(uri) ?? [])
      void this.connection.sendDiagnostics({ uri: target, diagnostics: [] });
    this.published.delete(uri);
  }
}

/** Serves LSP on the given streams (stdin/stdout for `opensips-ts lsp`) until the client exits. */
export function startLanguageServer(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): void {
  const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  new CfgLanguageServer(connection).start();
}
