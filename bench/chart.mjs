// The ratios of a benchmark run as an SVG bar chart, one bar per ratio, each
// target as a dashed line.
const RATIOS = [
  { key: 'S1_L0', label: 'S1 token check / L0 framework floor', target: 0.6 },
  { key: 'S1_L1', label: 'S1 token check / L1 node:http floor', target: 0.5 },
  { key: 'S1_warn', label: 'S1 at LOG_LEVEL=info / at warn', target: 0.9 },
  { key: 'S3_L2', label: 'S3 login / L2 raw argon2id', target: 0.85 },
  { key: 'O1_goal', label: 'O1 refresh-token grants / 500 per s', target: 1 },
  { key: 'O2_goal', label: 'O2 userinfo / 3,000 per s', target: 1 },
];
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChart(results) {
  const width = 760;
  const rowHeight = 26 + 34;
  const height = 70 + RATIOS.length * rowHeight + 30;
  const left = 270;
  const scale = (value) => left + Math.min(value, 1.2) * ((width - left - 60) / 1.2);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">one_auth: share of the machine's limits reached (higher is better)</text>`,
    `<text x="12" y="42" fill="#555">${escape(results.date.slice(0, 10))} · ${escape(results.machine.cpu)} · ${results.machine.cores} cores · Node ${escape(results.machine.node)} · ${escape(results.settings.database)} · ${results.settings.connections} connections · ${results.settings.quick ? 'quick check, not a measurement' : `${results.settings.durationS}s per scenario`}</text>`,
  ];
  RATIOS.forEach((ratio, i) => {
    const top = 62 + i * rowHeight;
    const value = results.service.ratios?.[ratio.key] ?? 0;
    const y = top + 22;
    parts.push(`<text x="12" y="${top + 14}" font-weight="bold">${escape(ratio.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, scale(value) - left)}" height="18" fill="#4c78a8"/>`);
    parts.push(`<text x="${scale(value) + 6}" y="${y + 14}">${(value * 100).toFixed(0)}%</text>`);
    const x = scale(ratio.target);
    parts.push(`<line x1="${x}" x2="${x}" y1="${top + 18}" y2="${top + 22 + 26}" stroke="#c00" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x + 3}" y="${top + 14}" fill="#c00">target ${(ratio.target * 100).toFixed(0)}%</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
