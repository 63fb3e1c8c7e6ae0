#!/usr/bin/env node
// npm run docs:check
//
// Fails (exit 1, one line per problem) when:
// - README.md, SECURITY.md or a Markdown file under docs/ links to a relative
//   path that does not exist, or to an #anchor the target Markdown file does
//   not define: a heading, slugged as GitHub does, or an explicit
//   <a id="…"> / <a name="…">;
// - a file under docs/ is not linked from README.md;
// - a comment in src/ cites an operation number that docs/api.md does not
//   define.
//
// What counts as a citation of an operation in a comment: a parenthesised
// list of nothing but one- or two-digit numbers, "(24)", "(17, 18, 20)",
// "(4, 4′, 23)", "(24–27)" (a range cites every number in it), and a number
// after "SPEC", "operation(s)" or "endpoint(s)". HTTP statuses have three
// digits and never match. docs/api.md defines operation N with an anchor
// <a id="op-N"></a> (and 4′ with op-4-prime).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const report = (where, message) => problems.push(`${where}: ${message}`);

function walk(folder, keep) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return walk(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

// ---- Markdown: lines outside fenced code, headings, anchors, links ----

/** The lines of a Markdown file with their numbers, fenced code blocks left out. */
function proseLines(text) {
  const lines = [];
  let fence = null;
  text.split('\n').forEach((line, index) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (opener && opener[1][0] === fence[0] && opener[1].length >= fence.length && line.trim() === opener[1]) fence = null;
    } else if (opener) {
      fence = opener[1];
    } else {
      lines.push({ line, number: index + 1 });
    }
  });
  return lines;
}

/** Where inline code spans lie in a line: links inside them are text, not links. */
function codeSpans(line) {
  return [...line.matchAll(/(`+)[\s\S]*?\1/g)].map((match) => [match.index, match.index + match[0].length]);
}

/** GitHub's slug of a heading: its text, lower-cased, punctuation dropped, spaces to hyphens. */
function slugOf(heading) {
  const text = heading
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map();

/** Every #anchor a Markdown file defines: heading slugs (numbered as GitHub numbers repeats) and explicit ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const anchors = new Set();
  const seen = new Map();
  for (const { line } of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = slugOf(heading[1]);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Inline links and images `[text](target)`, and reference definitions `[id]: target`. */
function linksOf(file) {
  const links = [];
  for (const { line, number } of proseLines(readFileSync(file, 'utf8'))) {
    const spans = codeSpans(line);
    const inCode = (index) => spans.some(([start, end]) => index >= start && index < end);
    for (const match of line.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (!inCode(match.index)) links.push({ target: match[1], number });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (definition) links.push({ target: definition[1], number });
  }
  return links;
}

function checkLinks(file) {
  const where = relative(ROOT, file);
  for (const { target, number } of linksOf(file)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: …
    const hash = target.indexOf('#');
    const pathPart = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? file : resolve(pathPart.startsWith('/') ? ROOT : dirname(file), decodeURIComponent(pathPart.replace(/^\//, '')));
    if (resolved !== ROOT && !resolved.startsWith(ROOT + sep)) {
      report(`${where}:${number}`, `${target} points outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      report(`${where}:${number}`, `${target}: no such file or folder`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
    if (!anchorsOf(resolved).has(anchor)) report(`${where}:${number}`, `${target}: ${relative(ROOT, resolved)} has no anchor #${anchor}`);
  }
}

// ---- Operation numbers cited in src/ comments ----

const NUMBER = String.raw`\d{1,2}′?`;
const ITEM = String.raw`${NUMBER}(?:\s*[–-]\s*${NUMBER})?`;
const LIST = String.raw`${ITEM}(?:\s*(?:,|and|or)\s*${ITEM})*`;
const CITATIONS = [new RegExp(String.raw`\(\s*(${LIST})\s*\)`, 'g'), new RegExp(String.raw`\b(?:SPEC|[Oo]perations?|[Ee]ndpoints?)\s+(${LIST})`, 'g')];

/** The operation numbers a list such as "17, 18, 24–27, 4′" names. */
function numbersOf(list) {
  return list
    .split(/\s*(?:,|and|or)\s*/)
    .flatMap((item) => {
      const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(item.trim());
      if (!range) return [item.trim()];
      const [from, to] = [Number(range[1]), Number(range[2])];
      return Array.from({ length: Math.max(0, to - from + 1) }, (_, offset) => String(from + offset));
    })
    .filter(Boolean);
}

/** Operation numbers docs/api.md defines: its anchors op-N (and op-N-prime for N′). */
function definedOperations() {
  const api = join(ROOT, 'docs', 'api.md');
  if (!existsSync(api)) return new Set();
  return new Set(
    [...anchorsOf(api)].flatMap((anchor) => {
      const match = /^op-(\d+)(-prime)?$/.exec(anchor);
      return match ? [match[2] ? `${match[1]}′` : match[1]] : [];
    }),
  );
}

/** Every comment of a TypeScript file, with the line it starts on. */
function commentsOf(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const seen = new Set();
  const comments = [];
  const collect = (ranges) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      comments.push({ text: text.slice(range.pos, range.end), start: range.pos });
    }
  };
  const visit = (node) => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    ts.forEachChild(node, visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.pos));
  const lineOf = (offset) => source.getLineAndCharacterOfPosition(offset).line + 1;
  return comments.map((comment) => ({ ...comment, lineOf }));
}

function checkCitations() {
  const defined = definedOperations();
  for (const file of walk(join(ROOT, 'src'), (name) => name.endsWith('.ts'))) {
    for (const comment of commentsOf(file)) {
      for (const pattern of CITATIONS) {
        for (const match of comment.text.matchAll(pattern)) {
          const missing = numbersOf(match[1]).filter((number) => !defined.has(number));
          if (missing.length > 0) {
            const where = `${relative(ROOT, file)}:${comment.lineOf(comment.start + match.index)}`;
            report(where, `"${match[0].replace(/\s+/g, ' ')}" cites operation ${missing.join(', ')}, which docs/api.md does not define`);
          }
        }
      }
    }
  }
}

// ---- the run ----

const docs = walk(join(ROOT, 'docs'), (name) => name.endsWith('.md'));
const markdown = [join(ROOT, 'README.md'), join(ROOT, 'SECURITY.md'), ...docs].filter((file) => existsSync(file));
for (const file of markdown) checkLinks(file);

const fromReadme = new Set(
  linksOf(join(ROOT, 'README.md'))
    .filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map(({ target }) => resolve(ROOT, decodeURIComponent(target.split('#')[0]))),
);
for (const doc of docs) if (!fromReadme.has(doc)) report(relative(ROOT, doc), 'is not linked from README.md');

checkCitations();

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`docs:check: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`docs:check: ${markdown.length} Markdown files, their links and anchors, and the operation numbers cited in src/ all resolve`);
