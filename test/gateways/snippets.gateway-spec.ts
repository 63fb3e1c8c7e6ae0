import { describe, expect, it } from 'vitest';
import { fillTemplate, README_VALUES, readmeSnippet, readTemplate } from './gateway-harness.js';

// Traefik and Envoy are not packaged in Debian: their snippets are not run here, only kept equal to the files.
describe.each(['traefik.yml.template', 'envoy.yaml.template'])("the README's snippet of deploy/gateways/%s", (file) => {
  it("is the file with the README's example values, no placeholder left", () => {
    const template = readTemplate(file);
    const filled = fillTemplate(template, README_VALUES);
    expect(filled).not.toMatch(/\{\{/);
    expect(readmeSnippet(template.split('\n')[0])).toBe(filled);
  });
});
