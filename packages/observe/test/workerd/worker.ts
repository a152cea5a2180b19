/** The test Worker's entry (required by the pool); the tests call `handle()` themselves. */
export default {
  fetch: () => new Response("observe test worker"),
};
