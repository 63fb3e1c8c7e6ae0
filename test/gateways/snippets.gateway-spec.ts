import { describe, expect, it } from 'vitest';
import { docsSnippet, DOCS_VALUES, fillTemplate, readTemplate } from './gateway-harness.js';

// Traefik and Envoy are not packaged in Debian: their snippets are not run here, only kept equal to the files.
describe.each(['traefik.yml.template', 'envoy.yaml.template'])('the snippet of deploy/gateways/%s in docs/gateways.md', (file) => {
  it('is the file with the example values of docs/gateways.md, no placeholder left', () => {
    const template = readTemplate(file);
    const filled = fillTemplate(template, DOCS_VALUES);
    expect(filled).not.toMatch(/\{\{/);
    expect(docsSnippet(template.split('\n')[0])).toBe(filled);
  });
});
