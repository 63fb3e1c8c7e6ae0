// What the service's memory does under 20 concurrent uploads of a few MB each, and after a rest.
import { asRandomUser, withToken } from './requests.mjs';
import { rssMb, sleep } from './service-process.mjs';

export async function measureUploadMemory({ settings, service, users, uploads: { bigPhoto }, load }) {
  const before = rssMb(service.pid);
  const memory = await load({
    url: `${service.url}/api/images`,
    method: 'POST',
    body: bigPhoto.body,
    connections: 20,
    duration: Math.max(2, settings.duration),
    quick: { amount: 40 },
    warmup: false,
    pid: service.pid,
    setup: asRandomUser(users, withToken, { 'content-type': bigPhoto.type }),
  });
  await sleep(settings.quick ? 1000 : 5000);
  return {
    beforeMb: Math.round(before),
    peakMb: memory.peakRssMb,
    afterMb: Math.round(rssMb(service.pid)),
    requests: memory.requests,
    completed: memory.completed,
    errors: memory.errors,
  };
}
