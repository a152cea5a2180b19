/** Resources and the resource template of the everything server. */
import { addResource, addResourceTemplate, type McpServer } from "@portico/core";
import { PNG_BASE64 } from "./_fixtures.ts";

export const WATCHED_RESOURCE_URI = "test://watched-resource";

export function registerResources(server: McpServer): void {
  addResource(
    server,
    "test://static-text",
    {
      name: "static-text",
      title: "Static Text Resource",
      description: "A static text resource for testing",
      mimeType: "text/plain",
    },
    (uri) => [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }],
  );

  addResource(
    server,
    "test://static-binary",
    {
      name: "static-binary",
      title: "Static Binary Resource",
      description: "A static binary resource (image) for testing",
      mimeType: "image/png",
    },
    (uri) => [{ uri, mimeType: "image/png", blob: PNG_BASE64 }],
  );

  addResource(
    server,
    WATCHED_RESOURCE_URI,
    {
      name: "watched-resource",
      title: "Watched Resource",
      description: "A resource clients may subscribe to",
      mimeType: "text/plain",
    },
    (uri) => [{ uri, mimeType: "text/plain", text: "Watched resource content" }],
  );

  addResourceTemplate(
    server,
    "test://template/{id}/data",
    {
      name: "template",
      title: "Resource Template",
      description: "A resource template with parameter substitution",
      mimeType: "application/json",
      complete: { id: (value) => ["123", "456", "789"].filter((id) => id.startsWith(value)) },
    },
    (uri, variables) => {
      const id = String(variables.id);
      return [
        {
          uri,
          mimeType: "application/json",
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ];
    },
  );
}
