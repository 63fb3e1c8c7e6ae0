// L2: raw argon2id verifications per second with the service's parameters,
// CONCURRENCY verifications in flight at once, for DURATION ms.
// Usage: node bench/l2-argon2.mjs CONCURRENCY DURATION_MS  → prints JSON
import argon2 from 'argon2';

const [concurrency, duration] = process.argv.slice(2).map(Number);
const options = {
  type: argon2.argon2id,
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 19456),
  timeCost: Number(process.env.ARGON2_TIME_COST ?? 2),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
};
const hash = await argon2.hash('bench password 1234', options);
const latencies = [];
const deadline = Date.now() + duration;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      await argon2.verify(hash, 'bench password 1234');
      latencies.push(performance.now() - started);
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({ requests: latencies.length / (duration / 1000), completed: latencies.length, p50: at(0.5), p99: at(0.99), errors: 0 }));
