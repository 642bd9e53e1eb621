// The baseline of bench/workerd.mjs: a Worker that imports nothing. What workerd takes to start
// it and answer its first request is subtracted from the same for bench/workerd/worker.mjs, so
// the difference is what the package costs a cold isolate.
export default {
  async fetch() {
    return Response.json({ allowed: true, checks: 0 });
  },
};
