import ts from 'typescript';

/*
 * What a source file says about tables, read from its syntax tree rather
 * than its text, so that comments and prose are never taken for SQL, and
 * statements are found in any case and across lines:
 * - the tables its SQL names (string and template literals),
 * - the tables or entities its query builders and entity managers name by string,
 * - what it imports, name by name (static, re-exported and dynamic imports),
 * - the names it exports whose value is SQL naming a table.
 */

/** A file of the code base: its path relative to the source root, and its text. */
export interface SourceText {
  name: string;
  text: string;
}

/** One import of a file: the specifier as written, and the names it takes (`*` for all of them). */
export interface ImportOf {
  specifier: string;
  names: string[];
}

/** Query-builder and entity-manager methods whose first argument may name a table or an entity. */
const TARGET_METHODS = new Set([
  'from',
  'into',
  'update',
  'delete',
  'insert',
  'upsert',
  'save',
  'remove',
  'softDelete',
  'softRemove',
  'restore',
  'recover',
  'increment',
  'decrement',
  'clear',
  'create',
  'merge',
  'preload',
  'createQueryBuilder',
  'getRepository',
  'getTreeRepository',
  'getMetadata',
  'InjectRepository',
  'join',
  'innerJoin',
  'leftJoin',
  'innerJoinAndSelect',
  'leftJoinAndSelect',
  'innerJoinAndMapOne',
  'innerJoinAndMapMany',
  'leftJoinAndMapOne',
  'leftJoinAndMapMany',
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'count',
  'countBy',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
]);

// Each rule reads every file: each is parsed once.
const parsed = new WeakMap<SourceText, ts.SourceFile>();
function parse(file: SourceText): ts.SourceFile {
  let source = parsed.get(file);
  if (!source) parsed.set(file, (source = ts.createSourceFile(file.name, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)));
  return source;
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** A literal's text, a template's with `?` for each substitution, a `+` chain's joined; undefined for other code. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => ` ? ${span.literal.text}`).join('');
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = literalText(node.left);
    const right = literalText(node.right);
    return left === undefined && right === undefined ? undefined : `${left ?? ' ? '}${right ?? ' ? '}`;
  }
  return undefined;
}

const isPlusChain = (node: ts.Node | undefined) =>
  node !== undefined && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;

/** Every piece of text under `node` that could hold SQL: each literal, template or `+` chain of them, once. */
function textsUnder(node: ts.Node): string[] {
  const texts: string[] = [];
  const visit = (child: ts.Node): void => {
    const text = literalText(child);
    if (text === undefined) return child.forEachChild(visit);
    texts.push(text);
    // What is substituted or added in may hold text of its own (a conditional's literals).
    if (ts.isTemplateExpression(child)) child.templateSpans.forEach((span) => visit(span.expression));
    if (isPlusChain(child)) operandsOf(child as ts.BinaryExpression).forEach(visit);
  };
  visit(node);
  return texts;
}

/** The operands of a `+` chain that are not text themselves. */
function operandsOf(chain: ts.BinaryExpression): ts.Node[] {
  return [chain.left, chain.right].flatMap((side) => {
    if (isPlusChain(side)) return operandsOf(side as ts.BinaryExpression);
    return literalText(side) === undefined
      ? [side]
      : ts.isTemplateExpression(side)
        ? side.templateSpans.map((span) => span.expression)
        : [];
  });
}

/** The tables SQL text names after FROM, JOIN, INTO, UPDATE or TABLE, in any case, quoted or not. */
export function tablesInSql(sql: string, tables: ReadonlySet<string>): string[] {
  return [...sql.matchAll(/\b(?:from|join|into|update|table)\s+[`"[]?(\w+)/gi)]
    .map(([, table]) => table)
    .filter((table) => tables.has(table));
}

/** The text of a file's string and template literals, where its SQL is (comments and code are not read). */
export function literalTexts(file: SourceText): string[] {
  return textsUnder(parse(file));
}

/** The tables the SQL in a file's literals names. */
export function tablesInFileSql(file: SourceText, tables: ReadonlySet<string>): string[] {
  return literalTexts(file).flatMap((text) => tablesInSql(text, tables));
}

/**
 * What a file's query builders and entity managers name by a string, e.g.
 * `.createQueryBuilder().update('users')`, `.from('user_profiles', 'p')`,
 * `getRepository('UserEntity')`: each such first argument that is one of
 * `names` (tables and entity class names).
 */
export function stringTargets(file: SourceText, names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  walk(parse(file), (node) => {
    if (!ts.isCallExpression(node) || node.arguments.length === 0) return;
    const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
    if (!ts.isIdentifier(callee) || !TARGET_METHODS.has(callee.text)) return;
    const text = literalText(node.arguments[0]);
    if (text !== undefined && names.has(text.trim())) found.push(text.trim());
  });
  return found;
}

/** A file's imports: `import … from`, `export … from` and `import('…')`, with the names each takes. */
export function importsOf(file: SourceText): ImportOf[] {
  const found: ImportOf[] = [];
  walk(parse(file), (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const names: string[] = [];
      if (clause?.name) names.push('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      if (bindings && ts.isNamedImports(bindings))
        names.push(...bindings.elements.map((element) => (element.propertyName ?? element.name).text));
      found.push({ specifier: node.moduleSpecifier.text, names });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const names =
        clause && ts.isNamedExports(clause) ? clause.elements.map((element) => (element.propertyName ?? element.name).text) : ['*'];
      found.push({ specifier: node.moduleSpecifier.text, names });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteral(argument)) found.push({ specifier: argument.text, names: ['*'] });
    }
  });
  return found;
}

const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
const isPrivate = (node: ts.ClassElement) =>
  (node.name !== undefined && ts.isPrivateIdentifier(node.name)) ||
  (ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.PrivateKeyword));

/** Names in reach, innermost first: a function's own constants, then the file's top-level declarations. */
type Scope = Map<string, ts.Node>[];

function resolve(name: string, scope: Scope): ts.Node | undefined {
  for (const names of scope) if (names.has(name)) return names.get(name);
  return undefined;
}

function skipOuter(expression: ts.Expression): ts.Expression {
  let inner = expression;
  while (
    ts.isParenthesizedExpression(inner) ||
    ts.isAsExpression(inner) ||
    ts.isSatisfiesExpression(inner) ||
    ts.isNonNullExpression(inner) ||
    ts.isTypeAssertionExpression(inner)
  )
    inner = inner.expression;
  return inner;
}

/**
 * The texts an expression's value can be: a literal's or template's text
 * (and what is substituted in), either branch of a condition, the values
 * of an object or array literal, a constant's value, what a function of
 * the same file called here returns. A call of anything else, or a query
 * run with SQL as an argument, is not text handed on.
 */
function valueTexts(node: ts.Node, scope: Scope, seen: Set<ts.Node>): string[] {
  if (seen.has(node)) return [];
  seen.add(node);
  if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node))
    return node.initializer ? valueTexts(node.initializer, scope, seen) : [];
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node)) {
    return returnedTexts(node, scope, seen);
  }
  if (!ts.isExpression(node)) return [];
  const expression = skipOuter(node);
  const text = literalText(expression);
  const more = (parts: ts.Node[]) => parts.flatMap((part) => valueTexts(part, scope, seen));
  if (ts.isTemplateExpression(expression)) return [text!, ...more(expression.templateSpans.map((span) => span.expression))];
  if (isPlusChain(expression)) return [...(text === undefined ? [] : [text]), ...more(operandsOf(expression as ts.BinaryExpression))];
  if (text !== undefined) return [text];
  if (ts.isConditionalExpression(expression)) return more([expression.whenTrue, expression.whenFalse]);
  if (ts.isBinaryExpression(expression)) return more([expression.left, expression.right]);
  if (ts.isObjectLiteralExpression(expression)) {
    return expression.properties.flatMap((property) => {
      if (ts.isPropertyAssignment(property)) return more([property.initializer]);
      if (ts.isShorthandPropertyAssignment(property)) return more([property.name]);
      return [];
    });
  }
  if (ts.isArrayLiteralExpression(expression)) return more([...expression.elements]);
  if (ts.isIdentifier(expression)) {
    const declaration = resolve(expression.text, scope);
    return declaration ? valueTexts(declaration, scope.slice(-1), seen) : [];
  }
  if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression)) {
    const callee = resolve(expression.expression.text, scope.slice(-1));
    if (callee && ts.isVariableDeclaration(callee) && callee.initializer && ts.isFunctionLike(skipOuter(callee.initializer))) {
      return returnedTexts(skipOuter(callee.initializer) as ts.SignatureDeclaration, scope.slice(-1), seen);
    }
    return callee && ts.isFunctionDeclaration(callee) ? returnedTexts(callee, scope.slice(-1), seen) : [];
  }
  return [];
}

/** The texts a function returns, directly or through one of its constants. */
function returnedTexts(fn: ts.SignatureDeclaration, scope: Scope, seen: Set<ts.Node>): string[] {
  const body = (fn as ts.FunctionLikeDeclarationBase).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return valueTexts(body, scope, seen);
  const locals = new Map<string, ts.Node>();
  const returned: ts.Expression[] = [];
  walk(body, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) locals.set(node.name.text, node);
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
  });
  return returned.flatMap((expression) => valueTexts(expression, [locals, ...scope], seen));
}

/** What an exported declaration hands whoever imports it. */
function exportedTexts(declaration: ts.Node, scope: Scope): string[] {
  const seen = new Set<ts.Node>();
  if (ts.isClassDeclaration(declaration)) {
    return declaration.members.filter((member) => !isPrivate(member)).flatMap((member) => valueTexts(member, scope, seen));
  }
  if (ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isFunctionLike(skipOuter(declaration.initializer))) {
    return returnedTexts(skipOuter(declaration.initializer) as ts.SignatureDeclaration, scope, seen);
  }
  return valueTexts(declaration, scope, seen);
}

/**
 * The names a file exports whose value is SQL naming one of `tables`, each
 * with the tables it names: a constant that holds such SQL (or an object or
 * array of it), a function, or a class's public member, that returns it.
 * SQL a function runs itself is not handed on, and is not counted here.
 */
export function sqlExports(file: SourceText, tables: ReadonlySet<string>): Map<string, string[]> {
  const source = parse(file);
  const topLevel = new Map<string, ts.Node>();
  const exported = new Map<string, string>();
  for (const statement of source.statements) {
    const named: [string, ts.Node][] = [];
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) named.push([declaration.name.text, declaration]);
      }
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      named.push([statement.name.text, statement]);
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) exported.set(element.name.text, (element.propertyName ?? element.name).text);
    } else if (ts.isExportAssignment(statement)) {
      topLevel.set('default', statement.expression);
      exported.set('default', 'default');
    }
    for (const [name, node] of named) {
      topLevel.set(name, node);
      if (isExported(statement)) exported.set(name, name);
    }
  }
  const result = new Map<string, string[]>();
  for (const [name, local] of exported) {
    const declaration = topLevel.get(local);
    if (!declaration) continue;
    const named = [...new Set(exportedTexts(declaration, [topLevel]).flatMap((text) => tablesInSql(text, tables)))];
    if (named.length > 0) result.set(name, named);
  }
  return result;
}
