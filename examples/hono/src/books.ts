/**
 * The REST API the team already has: a small books service on Hono with `@hono/zod-openapi`, so
 * its routes carry their OpenAPI description. Nothing here knows about MCP.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Shelf } from "./shelf.ts";

const Book = z
  .object({
    id: z.string().openapi({ example: "b1" }),
    title: z.string().min(1),
    author: z.string().min(1),
    year: z.number().int().optional(),
  })
  .openapi("Book");
export type Book = z.infer<typeof Book>;
const NewBook = Book.omit({ id: true }).openapi("NewBook");
export type NewBook = z.infer<typeof NewBook>;
const NotFound = z.object({ error: z.string() }).openapi("NotFound");
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

const listBooks = createRoute({
  method: "get",
  path: "/books",
  operationId: "listBooks",
  summary: "List the books, optionally by one author",
  request: { query: z.object({ author: z.string().optional() }) },
  responses: {
    200: { description: "The books", content: { "application/json": { schema: z.array(Book) } } },
  },
});
const getBook = createRoute({
  method: "get",
  path: "/books/{id}",
  operationId: "getBook",
  summary: "One book by its id",
  request: { params: IdParam },
  responses: {
    200: { description: "The book", content: { "application/json": { schema: Book } } },
    404: { description: "No such book", content: { "application/json": { schema: NotFound } } },
  },
});
const addBook = createRoute({
  method: "post",
  path: "/books",
  operationId: "addBook",
  summary: "Add a book",
  request: { body: { required: true, content: { "application/json": { schema: NewBook } } } },
  responses: { 201: { description: "The new book", content: { "application/json": { schema: Book } } } },
});
const removeBook = createRoute({
  method: "delete",
  path: "/books/{id}",
  operationId: "removeBook",
  summary: "Remove a book",
  request: { params: IdParam },
  responses: {
    204: { description: "Removed" },
    404: { description: "No such book", content: { "application/json": { schema: NotFound } } },
  },
});

/** The books API over `shelf` (see shelf.ts: where the books are kept). */
export function booksApi(shelf: Shelf): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(listBooks, async (c) => {
    const { author } = c.req.valid("query");
    const books = await shelf.list();
    return c.json(
      books.filter((b) => author === undefined || b.author === author),
      200,
    );
  });
  app.openapi(getBook, async (c) => {
    const book = await shelf.get(c.req.valid("param").id);
    return book ? c.json(book, 200) : c.json({ error: "no such book" }, 404);
  });
  app.openapi(addBook, async (c) => c.json(await shelf.add(c.req.valid("json")), 201));
  app.openapi(removeBook, async (c) => {
    if (!(await shelf.remove(c.req.valid("param").id))) return c.json({ error: "no such book" }, 404);
    return c.body(null, 204);
  });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "Books", version: "1.0.0" } });
  return app;
}

/** The API's OpenAPI 3.1 document, as `/openapi.json` serves it. */
export function booksDocument(app: OpenAPIHono): object {
  return app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "Books", version: "1.0.0" } });
}
