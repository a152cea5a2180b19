// The default export is a function returning something else.
export default function make(): { name: string } {
  return { name: "nope" };
}
