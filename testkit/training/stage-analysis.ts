/**
 * Static analysis of a pipeline stage's code with the TypeScript checker:
 *  - its import graph (static and dynamic imports), for checking dvc.yaml deps;
 *  - every params.yaml key it reads, for checking dvc.yaml params.
 *
 * Why static and typed rather than tracing a run: a traced run on small data only sees the
 * branches that data takes (fine_tune_from, class_weights, augment … would go unseen), while the
 * checker sees every `params.x.y` read in every branch. A read is a property access, element
 * access or destructuring on a value whose type is `Params` or one of its nested sections, so
 * renamed variables and sections passed to helpers (`fit(params.train)`) are followed too.
 * Not counted: config/params.ts (its validation touches every key for every stage), values
 * passed into tracking/ (logging params to MLflow is not a dependency on them), and another
 * command a command loads lazily for a flag the stage's cmd does not pass. The import graph is per file,
 * so a shared module counts for every stage importing it: an over-approximation, never a miss.
 */
import ts from 'typescript';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface StageCode {
  files: string[];
  reads: Set<string>;
}

export class StageAnalyzer {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly paths = new Map<ts.Type, string>();
  private readonly options: ts.CompilerOptions;
  private readonly readsByFile = new Map<string, Set<string>>();

  constructor(
    private readonly repoRoot: string,
    entries: string[],
  ) {
    const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'training/tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!parsed) throw new Error('training/tsconfig.json could not be read');
    this.options = { ...parsed.options, noEmit: true };
    this.program = ts.createProgram(entries.map((e) => join(repoRoot, e)), this.options);
    this.checker = this.program.getTypeChecker();
    const paramsFile = this.program.getSourceFile(join(repoRoot, 'training/src/config/params.ts'));
    const decl = paramsFile?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Params');
    if (!decl) throw new Error('interface Params not found in training/src/config/params.ts');
    this.mapType(this.checker.getTypeAtLocation(decl.name), '');
  }

  private mapType(t: ts.Type, path: string): void {
    this.paths.set(t, path);
    for (const prop of t.getProperties()) {
      const pt = this.checker.getTypeOfSymbol(prop);
      if (pt.flags & ts.TypeFlags.Object && !this.checker.isArrayType(pt)) this.mapType(pt, path ? `${path}.${prop.name}` : prop.name);
    }
  }

  private pathOf(node: ts.Node): string | undefined {
    const t = this.checker.getNonNullableType(this.checker.getTypeAtLocation(node));
    return this.paths.get(t);
  }

  /**
   * A key read on a Params section. Taking a whole section is a read of all of it only when the
   * section escapes typed tracking: passed where a non-Params type is expected (e.g.
   * `splitByRatios(d.split_ratios)`), spread, serialised. Otherwise its leaves are what count.
   */
  private record(reads: Set<string>, base: string, name: string, node: ts.Node): void {
    const key = base ? `${base}.${name}` : name;
    if (this.paths.get(this.checker.getNonNullableType(this.checker.getTypeAtLocation(node))) === key && !this.escapes(node, key)) return;
    reads.add(key);
  }

  private escapes(node: ts.Node, key: string): boolean {
    let n: ts.Node = node;
    while (ts.isParenthesizedExpression(n.parent) || ts.isNonNullExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
    const parent = n.parent;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === n) return false;
    if (ts.isVariableDeclaration(parent) && parent.initializer === n && !ts.isArrayBindingPattern(parent.name)) return false;
    if (ts.isBindingElement(node) || ts.isIdentifier(node)) return false; // destructured into a variable that keeps the section type
    if (this.feedsTracking(n)) return false; // logging params to MLflow is not a dependency on them
    const ctx = ts.isExpression(n) ? this.checker.getContextualType(n) : undefined;
    return !(ctx && this.paths.get(this.checker.getNonNullableType(ctx)) === key);
  }

  /** `run.logParams(flattenParams({ data: params.data }))`: the value only flows into tracking/. */
  private feedsTracking(node: ts.Node): boolean {
    let n = node;
    while (ts.isPropertyAssignment(n.parent) || ts.isObjectLiteralExpression(n.parent) || ts.isArrayLiteralExpression(n.parent) || ts.isShorthandPropertyAssignment(n.parent)) n = n.parent;
    const call = n.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(n as ts.Expression)) return false;
    const decl = this.checker.getResolvedSignature(call)?.getDeclaration();
    return (decl?.getSourceFile().fileName.split(sep).join('/') ?? '').includes('/training/src/tracking/');
  }

  private readsOf(sf: ts.SourceFile): Set<string> {
    const cached = this.readsByFile.get(sf.fileName);
    if (cached) return cached;
    const reads = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node)) {
        const base = this.pathOf(node.expression);
        if (base !== undefined) this.record(reads, base, node.name.text, node);
      } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
        const base = this.pathOf(node.expression);
        if (base !== undefined) this.record(reads, base, node.argumentExpression.text, node);
      } else if (ts.isObjectBindingPattern(node)) {
        const base = this.pathOf(node);
        if (base !== undefined) {
          for (const el of node.elements) {
            const name = el.propertyName ?? el.name;
            if (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) this.record(reads, base, name.text, el.name);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    this.readsByFile.set(sf.fileName, reads);
    return reads;
  }

  private importsOf(sf: ts.SourceFile): string[] {
    const specs: string[] = [];
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        if (!(ts.isImportDeclaration(node) && node.importClause?.isTypeOnly)) specs.push(node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        // A command lazily loading another command (train --data → train-quick) is a different
        // invocation than the stage's cmd, so that module is not part of the stage.
        const isOtherCommand = sf.fileName.includes('/training/src/commands/') && /^\.\/[\w-]+$/.test(node.arguments[0].text);
        if (!isOtherCommand) specs.push(node.arguments[0].text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    const out: string[] = [];
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue; // packages come from node_modules, not from the repo
      const r = ts.resolveModuleName(spec, sf.fileName, this.options, ts.sys).resolvedModule;
      if (r && !r.isExternalLibraryImport) out.push(resolve(r.resolvedFileName));
      else out.push(resolve(dirname(sf.fileName), spec)); // unresolved: reported as a missing file by the caller
    }
    return out;
  }

  /** Repo-relative files reachable from `entry`, and the params keys they read. */
  analyze(entry: string): StageCode {
    const seen = new Set<string>();
    const reads = new Set<string>();
    const queue = [resolve(this.repoRoot, entry)];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const sf = this.program.getSourceFile(file);
      if (!sf) continue;
      const rel = relative(this.repoRoot, file).split(sep).join('/');
      if (rel !== 'training/src/config/params.ts' && !rel.startsWith('training/src/tracking/')) for (const k of this.readsOf(sf)) reads.add(k);
      queue.push(...this.importsOf(sf));
    }
    return { files: [...seen].map((f) => relative(this.repoRoot, f).split(sep).join('/')).sort(), reads };
  }
}
